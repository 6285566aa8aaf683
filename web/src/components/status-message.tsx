import { Stack, Text, ThemeIcon, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export interface StatusMessageProps {
  icon: ReactNode;
  title: string;
  description: string;
  /** A call to action below the description. */
  action?: ReactNode;
  color?: string;
}

/** An icon, heading and short explanation: the shape of empty, error and not-found states. */
export function StatusMessage({ icon, title, description, action, color }: StatusMessageProps) {
  return (
    <Stack align="center" gap="sm" ta="center" py="md">
      <ThemeIcon size={56} radius="xl" variant="light" color={color}>
        {icon}
      </ThemeIcon>
      <Title order={1} size="h3">
        {title}
      </Title>
      <Text c="dimmed" maw={360}>
        {description}
      </Text>
      {action}
    </Stack>
  );
}
