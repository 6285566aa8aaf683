import { Alert, Button, Card, FileButton, Group, Image, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, apiDelete, apiPut } from '../../api/client';

interface BrandingImage {
  id: 'logo' | 'logoDark' | 'favicon' | 'background' | 'email' | 'defaultProfilePicture';
  /** Path under /api/application-images, with the query selecting the dark logo. */
  path: string;
  accept: string;
}

const images: BrandingImage[] = [
  { id: 'logo', path: 'logo?light=true', accept: 'image/png,image/jpeg,image/webp,image/gif,image/svg+xml' },
  {
    id: 'logoDark',
    path: 'logo?light=false',
    accept: 'image/png,image/jpeg,image/webp,image/gif,image/svg+xml',
  },
  { id: 'favicon', path: 'favicon', accept: 'image/svg+xml,image/png,image/x-icon,.ico' },
  { id: 'background', path: 'background', accept: 'image/png,image/jpeg,image/webp' },
  { id: 'email', path: 'email', accept: 'image/png,image/jpeg' },
  { id: 'defaultProfilePicture', path: 'default-profile-picture', accept: 'image/png,image/jpeg,image/webp' },
];

/** Upload or reset the branding images; read-only when the configuration comes from the environment. */
export function BrandingImages({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  return (
    <Stack data-testid="branding-images">
      <Text size="sm" c="dimmed">
        {t('admin.config.images.description')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {images.map((image) => (
          <BrandingImageCard key={image.id} image={image} readOnly={readOnly} />
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function BrandingImageCard({ image, readOnly }: { image: BrandingImage; readOnly: boolean }) {
  const { t } = useTranslation();
  const [version, setVersion] = useState(0);
  const [missing, setMissing] = useState(false);
  const url = `/api/application-images/${image.path}`;
  const refresh = () => {
    setMissing(false);
    setVersion(Date.now());
  };
  const upload = useMutation({
    mutationFn: (file: File) => {
      const form = new FormData();
      form.append('file', file);
      return apiPut(url, { body: form });
    },
    onSuccess: refresh,
  });
  const reset = useMutation({ mutationFn: () => apiDelete(url), onSuccess: refresh });
  const error = upload.error ?? reset.error;
  const separator = image.path.includes('?') ? '&' : '?';
  return (
    <Card withBorder data-testid={`branding-${image.id}`}>
      <Title order={4} size="h6" mb="xs">
        {t(`admin.config.images.${image.id}`)}
      </Title>
      <Card.Section withBorder inheritPadding py="sm" mb="sm">
        {missing ? (
          <Text size="sm" c="dimmed" ta="center" h={80} pt="lg">
            {t('admin.config.images.default')}
          </Text>
        ) : (
          <Image
            src={`${url}${separator}v=${version}`}
            h={80}
            fit="contain"
            alt={t(`admin.config.images.${image.id}`)}
            onError={() => setMissing(true)}
          />
        )}
      </Card.Section>
      <Group gap="xs">
        <FileButton
          onChange={(file) => file && upload.mutate(file)}
          accept={image.accept}
          disabled={readOnly}
        >
          {(props) => (
            <Button
              {...props}
              size="xs"
              variant="light"
              disabled={readOnly}
              loading={upload.isPending}
              data-testid={`branding-${image.id}-upload`}
            >
              {t('admin.config.images.upload')}
            </Button>
          )}
        </FileButton>
        <Button
          size="xs"
          variant="subtle"
          color="gray"
          disabled={readOnly || missing}
          loading={reset.isPending}
          onClick={() => reset.mutate()}
          data-testid={`branding-${image.id}-reset`}
        >
          {t('admin.config.images.reset')}
        </Button>
      </Group>
      {error instanceof ApiError && (
        <Alert color="red" mt="xs" role="alert" p="xs">
          {error.message}
        </Alert>
      )}
    </Card>
  );
}
