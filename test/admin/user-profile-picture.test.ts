import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode.js';
import { Jimp } from 'jimp';
import { adminAndUser } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

/** Node's WebAssembly global (not in the TypeScript lib this project compiles against). */
const wasmModule = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => never } })
  .WebAssembly.Module;

type Sample = InstanceType<typeof Jimp>;
async function encode(image: Sample, mime: 'image/png' | 'image/jpeg' | 'image/webp'): Promise<Buffer> {
  if (mime !== 'image/webp') return image.getBuffer(mime);
  const { data, width, height } = image.bitmap;
  const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(await encodeWebp({ data: pixels, width, height, colorSpace: 'srgb' }));
}

function multipart(data: Buffer, filename = 'picture') {
  const boundary = `----latch${randomUUID()}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describeEachEngine('admin profile pictures of users', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  let user: { cookie: string };
  let userId: string;
  before(async () => {
    // Node's fetch cannot load the encoder's WebAssembly from a file; the tests encode WebP samples with it.
    const wasm = createRequire(import.meta.url).resolve('@jsquash/webp/codec/enc/webp_enc_simd.wasm');
    await initWebpEncoder(new wasmModule(readFileSync(wasm)));
    testApp = await createTestApp({ db: engine });
    ({ admin, user, userId } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  const storedPath = (id: string) => join(testApp.config.uploadPath, 'profile-pictures', `${id}.png`);
  const put = (id: string, body: ReturnType<typeof multipart>, cookie = admin.cookie) =>
    testApp.app.inject({
      method: 'PUT',
      url: `/api/users/${id}/profile-picture`,
      headers: { cookie, ...body.headers },
      payload: body.payload,
    });

  test('PNG, JPEG and WebP uploads are stored as 300 px square PNGs; DELETE resets', async () => {
    const source = new Jimp({ width: 600, height: 400, color: 0x3366ccff });
    for (const mime of ['image/png', 'image/jpeg', 'image/webp'] as const) {
      const response = await put(userId, multipart(await encode(source, mime)));
      assert.equal(response.statusCode, 204, `${mime}: ${response.body}`);
      const stored = await Jimp.read(readFileSync(storedPath(userId)));
      assert.equal(stored.width, 300, mime);
      assert.equal(stored.height, 300, mime);
      assert.deepEqual([...readFileSync(storedPath(userId)).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    }
    const reset = await testApp.app.inject({
      method: 'DELETE',
      url: `/api/users/${userId}/profile-picture`,
      headers: admin,
    });
    assert.equal(reset.statusCode, 204);
    assert.equal(existsSync(storedPath(userId)), false);
  });

  test('other types, damaged files and oversized dimensions are refused; nothing is stored', async () => {
    const gif = Buffer.from(
      '47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b',
      'hex',
    );
    const refused = await put(userId, multipart(gif));
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'invalid_image');
    assert.ok(refused.json().fields.file);

    const text = await put(userId, multipart(Buffer.from('not an image')));
    assert.equal(text.statusCode, 400);
    assert.equal(text.json().code, 'invalid_image');

    // A PNG header declaring 100000 x 100000 pixels: refused before decoding.
    const bomb = Buffer.from(
      await new Jimp({ width: 2, height: 2, color: 0xffffffff }).getBuffer('image/png'),
    );
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    const huge = await put(userId, multipart(bomb));
    assert.equal(huge.statusCode, 400);
    assert.match(huge.json().error, /megapixels/);

    const missing = await testApp.app.inject({
      method: 'PUT',
      url: `/api/users/${userId}/profile-picture`,
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(missing.statusCode, 400);
    assert.ok(missing.json().fields.file);
    assert.equal(existsSync(storedPath(userId)), false);
  });

  test('401 without credentials, 403 for a non-admin, 404 for an unknown user; deleting the user removes the picture', async () => {
    const png = multipart(
      await new Jimp({ width: 10, height: 10, color: 0xff0000ff }).getBuffer('image/png'),
    );
    const anonymous = await testApp.app.inject({
      method: 'PUT',
      url: `/api/users/${userId}/profile-picture`,
      headers: png.headers,
      payload: png.payload,
    });
    assert.equal(anonymous.statusCode, 401);
    const forbidden = await put(userId, png, user.cookie);
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'admin_required');
    const forbiddenDelete = await testApp.app.inject({
      method: 'DELETE',
      url: `/api/users/${userId}/profile-picture`,
      headers: user,
    });
    assert.equal(forbiddenDelete.statusCode, 403);
    assert.equal(existsSync(storedPath(userId)), false);
    const unknown = await put(randomUUID(), png);
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'user_not_found');

    const other = (
      await testApp.app.inject({
        method: 'POST',
        url: '/api/users',
        headers: admin,
        payload: { username: 'pictured', email: 'p@example.com' },
      })
    ).json();
    assert.equal((await put(other.id, png)).statusCode, 204);
    assert.equal(existsSync(storedPath(other.id)), true);
    await testApp.app.inject({ method: 'DELETE', url: `/api/users/${other.id}`, headers: admin });
    assert.equal(existsSync(storedPath(other.id)), false);
  });
});
