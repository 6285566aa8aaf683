import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { colourOf, initialsOf } from '../../src/modules/profile-pictures/render.ts';
import { encodeImage, multipartFile, near, type Rgb, readPng, twoColourImage } from '../helpers/images.ts';
import { adminAndUser, insertTestUser, signInAs } from '../helpers/sign-in.ts';
import { createTestApp, describeEachEngine, type TestApp } from '../helpers/test-app.ts';

const red: Rgb = [220, 20, 20];
const blue: Rgb = [20, 20, 220];
const green: Rgb = [20, 200, 20];
const hexToRgb = (hex: string): Rgb =>
  [0, 2, 4].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)) as never;

describeEachEngine('profile pictures', (engine) => {
  let testApp: TestApp;
  let admin: { cookie: string };
  let user: { cookie: string };
  let userId: string;
  const pictureFile = (id: string) => join(testApp.config.uploadPath, 'profile-pictures', `${id}.png`);
  const storedPictures = () => {
    const folder = join(testApp.config.uploadPath, 'profile-pictures');
    return existsSync(folder) ? readdirSync(folder) : [];
  };

  before(async () => {
    testApp = await createTestApp({ db: engine });
    ({ admin, user, userId } = await adminAndUser(testApp));
  });
  after(() => testApp.close());

  const upload = (url: string, cookie: string, data: Buffer) => {
    const body = multipartFile(data);
    return testApp.app.inject({
      method: 'PUT',
      url,
      headers: { cookie, ...body.headers },
      payload: body.payload,
    });
  };
  const getPicture = (id: string, headers: Record<string, string> = {}) =>
    testApp.app.inject({ method: 'GET', url: `/api/users/${id}/profile-picture.png`, headers });

  for (const type of ['png', 'jpeg', 'webp'] as const) {
    test(`an uploaded ${type} becomes a 300x300 PNG cropped to the centre`, async () => {
      // 600x300: the centred square crop keeps the left half red and the right half blue.
      const source = await encodeImage(twoColourImage(600, 300, red, blue), type);
      const response = await upload('/api/users/me/profile-picture', user.cookie, source);
      assert.equal(response.statusCode, 204, response.body);

      const served = await getPicture(userId);
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/png');
      assert.match(String(served.headers['cache-control']), /^public, max-age=\d+/);
      assert.ok(served.headers.etag);
      const png = await readPng(served.rawPayload);
      assert.equal(png.width, 300);
      assert.equal(png.height, 300);
      assert.ok(near(png.pixel(40, 150), red), `left ${png.pixel(40, 150)}`);
      assert.ok(near(png.pixel(260, 150), blue), `right ${png.pixel(260, 150)}`);

      const notModified = await getPicture(userId, { 'if-none-match': String(served.headers.etag) });
      assert.equal(notModified.statusCode, 304);
    });
  }

  test('falls back from the upload to the default picture, then to generated initials', async () => {
    const id = await insertTestUser(testApp, { username: 'fallback' });
    await testApp.db
      .updateTable('users')
      .set({ first_name: 'Ada', last_name: 'Lovelace' })
      .where('id', '=', id)
      .execute();

    const initials = await getPicture(id);
    assert.equal(initials.statusCode, 200);
    const initialsPng = await readPng(initials.rawPayload);
    assert.equal(initialsPng.width, 300);
    assert.ok(near(initialsPng.pixel(5, 5), hexToRgb(colourOf(id)), 2), 'background is the user colour');
    assert.equal(initialsOf({ firstName: 'Ada', lastName: 'Lovelace', username: 'fallback' }), 'AL');
    // Some white letter pixels in the middle.
    const middle = Array.from({ length: 100 }, (_, step) => initialsPng.pixel(100 + step, 150));
    assert.ok(
      middle.some((pixel) => near(pixel, [255, 255, 255], 40)),
      'initials are drawn',
    );

    const defaultSource = await encodeImage(twoColourImage(100, 100, green, green), 'jpeg');
    const setDefault = await upload(
      '/api/application-images/default-profile-picture',
      admin.cookie,
      defaultSource,
    );
    assert.equal(setDefault.statusCode, 204, setDefault.body);
    const fromDefault = await readPng((await getPicture(id)).rawPayload);
    assert.equal(fromDefault.width, 300);
    assert.ok(near(fromDefault.pixel(150, 150), green), `default ${fromDefault.pixel(150, 150)}`);

    const custom = await upload(
      `/api/users/${id}/profile-picture`,
      admin.cookie,
      await encodeImage(twoColourImage(50, 50, red, red), 'png'),
    );
    assert.equal(custom.statusCode, 204, custom.body);
    assert.ok(near((await readPng((await getPicture(id)).rawPayload)).pixel(150, 150), red));

    const reset = await testApp.app.inject({
      method: 'DELETE',
      url: `/api/users/${id}/profile-picture`,
      headers: admin,
    });
    assert.equal(reset.statusCode, 204);
    assert.equal(existsSync(pictureFile(id)), false);
    assert.ok(near((await readPng((await getPicture(id)).rawPayload)).pixel(150, 150), green));

    await testApp.app.inject({
      method: 'DELETE',
      url: '/api/application-images/default-profile-picture',
      headers: admin,
    });
    const back = await readPng((await getPicture(id)).rawPayload);
    assert.ok(near(back.pixel(5, 5), hexToRgb(colourOf(id)), 2));
  });

  test('a user resets their own picture', async () => {
    const id = await insertTestUser(testApp, { username: 'resetter' });
    const cookie = await signInAs(testApp, id);
    await upload(
      '/api/users/me/profile-picture',
      cookie,
      await encodeImage(twoColourImage(10, 10, red, red), 'png'),
    );
    assert.equal(existsSync(pictureFile(id)), true);
    const reset = await testApp.app.inject({
      method: 'DELETE',
      url: '/api/users/me/profile-picture',
      headers: { cookie },
    });
    assert.equal(reset.statusCode, 204);
    assert.equal(existsSync(pictureFile(id)), false);
  });

  test('refuses other types, corrupt and oversized files, and stores nothing', async () => {
    const id = await insertTestUser(testApp, { username: 'refused' });
    const png = await encodeImage(twoColourImage(300, 300, red, blue), 'png');
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    // A PNG header claiming 50,000 x 50,000 pixels: refused before decoding.
    const huge = Buffer.from(png.subarray(0, 33));
    huge.writeUInt32BE(50_000, 16);
    huge.writeUInt32BE(50_000, 20);
    const cases: [string, Buffer, number, string][] = [
      ['gif', gif, 400, 'invalid_image'],
      ['text', Buffer.from('hello, not an image'), 400, 'invalid_image'],
      ['truncated png', png.subarray(0, 60), 400, 'invalid_image'],
      [
        'corrupt jpeg',
        Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(200, 7)]),
        400,
        'invalid_image',
      ],
      [
        'corrupt webp',
        Buffer.concat([Buffer.from('RIFF\x20\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(40, 1)]),
        400,
        'invalid_image',
      ],
      ['too many pixels', huge, 400, 'invalid_image'],
      ['over 2 MiB', Buffer.concat([png, Buffer.alloc(2 * 1024 * 1024)]), 413, 'invalid_image'],
    ];
    for (const [name, data, status, code] of cases) {
      const response = await upload(`/api/users/${id}/profile-picture`, admin.cookie, data);
      assert.equal(response.statusCode, status, `${name}: ${response.body}`);
      assert.equal(response.json().code, code, name);
      assert.ok(response.json().error.length > 10, name);
    }
    const missingFile = await testApp.app.inject({
      method: 'PUT',
      url: '/api/users/me/profile-picture',
      headers: { cookie: user.cookie, 'content-type': 'application/json' },
      payload: {},
    });
    assert.equal(missingFile.statusCode, 400);
    assert.equal(storedPictures().includes(`${id}.png`), false);
  });

  test('guards: non-admins, anonymous callers and unknown users', async () => {
    const png = await encodeImage(twoColourImage(20, 20, red, red), 'png');
    const before = storedPictures().length;
    const asUser = await upload(`/api/users/${userId}/profile-picture`, user.cookie, png);
    assert.equal(asUser.statusCode, 403);
    const deleteAsUser = await testApp.app.inject({
      method: 'DELETE',
      url: `/api/users/${userId}/profile-picture`,
      headers: user,
    });
    assert.equal(deleteAsUser.statusCode, 403);
    const anonymous = await upload('/api/users/me/profile-picture', '', png);
    assert.equal(anonymous.statusCode, 401);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    assert.equal((await getPicture(unknownId)).statusCode, 404);
    assert.equal((await getPicture(unknownId)).json().code, 'user_not_found');
    const unknownUpload = await upload(`/api/users/${unknownId}/profile-picture`, admin.cookie, png);
    assert.equal(unknownUpload.statusCode, 404);
    assert.equal(unknownUpload.json().code, 'user_not_found');
    assert.equal(storedPictures().length, before);
  });

  test('deleting a user deletes their picture', async () => {
    const id = await insertTestUser(testApp, { username: 'leaving' });
    await upload(
      `/api/users/${id}/profile-picture`,
      admin.cookie,
      await encodeImage(twoColourImage(20, 20, red, red), 'png'),
    );
    assert.equal(existsSync(pictureFile(id)), true);
    const deleted = await testApp.app.inject({ method: 'DELETE', url: `/api/users/${id}`, headers: admin });
    assert.equal(deleted.statusCode, 204);
    assert.equal(existsSync(pictureFile(id)), false);
  });
});
