/// The script `sightline run` preloads into Node (`NODE_OPTIONS=--require …`).
///
/// Node's built-in `fetch` (undici), which the official OpenAI and Anthropic SDKs use, ignores
/// `HTTPS_PROXY` unless the Node is new enough to honour `NODE_USE_ENV_PROXY=1` (22.21+, 24.5+), which
/// `sightline run` also sets. On an older Node this script installs undici's proxy agent as the global
/// dispatcher, from the program's own `undici` dependency or a system one (Debian's `node-undici`); with
/// neither it says on stderr what to do. Trust comes from `NODE_EXTRA_CA_CERTS`, set beside it.
public enum NodePreload {
    public static let fileName = "sightline-node-preload.cjs"

    public static let source = #"""
// Written by `sightline run`: brings Node's fetch through Sightline on a Node that ignores HTTPS_PROXY.
'use strict';
(function sightlineNodePreload() {
  const env = process.env;
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxy || typeof globalThis.fetch !== 'function') return;
  const [major, minor] = process.versions.node.split('.').map(Number);
  // Newer Node routes fetch through the proxy variables itself when NODE_USE_ENV_PROXY=1 (set beside this).
  if (major >= 25 || (major === 24 && minor >= 5) || (major === 22 && minor >= 21)) return;
  const Module = require('module');
  const path = require('path');
  function loadUndici() {
    try { return Module.createRequire(path.join(process.cwd(), 'index.js'))('undici'); } catch (_) { /* not a dependency */ }
    const saved = env.NODE_PATH;
    for (const dir of ['/usr/share/nodejs', '/usr/lib/nodejs', '/usr/local/lib/node_modules', '/usr/lib/node_modules']) {
      try {
        // A system undici finds its own dependencies (busboy) beside it only on that search path.
        env.NODE_PATH = [saved, dir].filter(Boolean).join(path.delimiter);
        Module._initPaths();
        return require(path.join(dir, 'undici'));
      } catch (_) { /* not there */ } finally {
        if (saved === undefined) delete env.NODE_PATH; else env.NODE_PATH = saved;
        Module._initPaths();
      }
    }
    return null;
  }
  const undici = loadUndici();
  if (!undici || typeof undici.setGlobalDispatcher !== 'function') {
    process.stderr.write('sightline: Node ' + process.version + ' ignores HTTPS_PROXY for fetch; install undici ' +
      '(npm i undici, or apt install node-undici) or use Node >= 22.21 so these calls go through Sightline\n');
    return;
  }
  const agent = typeof undici.EnvHttpProxyAgent === 'function' ? new undici.EnvHttpProxyAgent() : new undici.ProxyAgent({ uri: proxy });
  undici.setGlobalDispatcher(agent);
})();
"""#
}
