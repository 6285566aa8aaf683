import { AppError } from './errors.ts';

/** Reads the single multipart `file` field. @throws AppError validation_error / invalid_image */
export async function readUploadedFile(
  request: {
    isMultipart(): boolean;
    file(options?: object): Promise<{ toBuffer(): Promise<Buffer> } | undefined>;
  },
  maxBytes: number,
): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new AppError('validation_error', 400, 'Send the image as multipart/form-data in a "file" field', {
      fields: { file: 'is required' },
    });
  }
  const part = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
  if (!part)
    throw new AppError('validation_error', 400, 'The "file" field is missing', {
      fields: { file: 'is required' },
    });
  try {
    return await part.toBuffer();
  } catch {
    throw new AppError('invalid_image', 413, `The file must be at most ${maxBytes} bytes`, {
      fields: { file: 'too large' },
    });
  }
}
