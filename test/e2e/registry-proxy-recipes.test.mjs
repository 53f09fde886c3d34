// Every proxy recipe in the browser: the Node proxy, the Cloudflare Worker under
// workerd and the nginx recipe (test/helpers/proxy-recipes.mjs), each in front
// of a token-auth registry that sends no CORS headers. The person sets the
// proxy, types the reference, signs in; the report must equal the dropped
// archive's, every request must have gone through that proxy, and the
// credentials must appear in no URL and no proxy log.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyRecipes, startProxyRecipe } from '../helpers/proxy-recipes.mjs';
import { startRegistry } from '../helpers/registry.mjs';
import { downloadReport, openFiles, useApp } from './harness.mjs';
import { archivePath, enterReference, imageFacts, pushArchive, signIn } from './registry-fixtures.mjs';

const credentials = { username: 'ci-edge', password: 'edge-pa55-Yw3!' };
const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');

describe('registry images through each proxy recipe', () => {
  const app = useApp({ before, after, afterEach });
  let registry;
  let realm;
  let droppedReport;

  before(async () => {
    registry = await startRegistry({ cors: false, auth: { kind: 'token', ...credentials } });
    await pushArchive(`${registry.host}/private/app:1.0`, { credentials });
    const challenge = await fetch(`http://${registry.host}/v2/`);
    const realmUrl = new URL(/realm="([^"]+)"/.exec(challenge.headers.get('www-authenticate'))[1]);
    realm = `${realmUrl.host}${realmUrl.pathname}`;
    const { page } = await app.open();
    await openFiles(page, [archivePath]);
    droppedReport = (await downloadReport(page)).report;
  });

  after(async () => {
    await registry?.stop();
  });

  for (const recipe of proxyRecipes) {
    test(`${recipe}: sign in through the proxy, the report equals the dropped archive, nothing leaks`, async (t) => {
      const proxy = await startProxyRecipe(recipe, { allow: [registry.host], realms: [realm] });
      t.after(() => proxy.close());
      const { page, context } = await app.open('', {
        initScript: `localStorage.setItem('tarsier.registryProxy', ${JSON.stringify(proxy.url)});`,
      });
      const requested = [];
      context.on('request', (request) => requested.push(request.url()));
      await enterReference(page, `${registry.host}/private/app:1.0`);
      await signIn(page, credentials);
      const { report } = await downloadReport(page);
      assert.deepEqual(report.errors, []);
      assert.deepEqual(imageFacts(report.images[0]), imageFacts(droppedReport.images[0]));

      const registryRequests = requested.filter((url) => url.includes(registry.host) || url.includes(realm));
      const viaProxy = registryRequests.filter((url) => url.startsWith(`${proxy.url}/`));
      // The app's first, direct tries at the registry's API (refused for want of CORS) may skip
      // the proxy; no token request and no blob may.
      const direct = registryRequests.filter((url) => !url.startsWith(`${proxy.url}/`));
      assert.deepEqual(direct.filter((url) => !url.startsWith(`http://${registry.host}/v2/`) || url.includes('/blobs/')), []);
      assert.ok(viaProxy.some((url) => url.startsWith(`${proxy.url}/${realm}?`)), 'the token came through the proxy');
      for (const layer of droppedReport.images[0].layers) {
        assert.ok(viaProxy.includes(`${proxy.url}/${registry.host}/v2/private/app/blobs/${layer.digest}`), `layer ${layer.digest} through the proxy`);
      }
      assert.ok(registry.token.requests.some((request) => request.account === credentials.username && request.granted));
      for (const text of [requested.join('\n'), proxy.output(), JSON.stringify(report)]) {
        assert.ok(!text.includes(credentials.password) && !text.includes(basic), 'credentials leaked');
      }
    });
  }
});
