import { Avatar, type AvatarProps } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';

const versionKey = (userId: string) => ['profile-picture-version', userId] as const;

/** The picture URL with a version that changes after an upload or a reset, so browsers skip their cached copy. */
export function useProfilePictureUrl(userId: string): string {
  const { data: version } = useQuery({
    queryKey: versionKey(userId),
    queryFn: () => 0,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const suffix = version ? `?v=${version}` : '';
  return `/api/users/${encodeURIComponent(userId)}/profile-picture.png${suffix}`;
}

/** Call after changing a user's picture: every avatar of that user reloads it. */
export function useProfilePictureChanged(): (userId: string) => void {
  const queryClient = useQueryClient();
  return (userId) => queryClient.setQueryData(versionKey(userId), Date.now());
}

/** A user's profile picture (their upload, the default picture or their initials, as the server decides). */
export function UserAvatar({ userId, name, ...props }: { userId: string; name: string } & AvatarProps) {
  const src = useProfilePictureUrl(userId);
  return <Avatar src={src} alt={name} radius="xl" {...props} />;
}
