/// The `sitecustomize.py` that `sightline run` puts first on the child's `PYTHONPATH`.
///
/// Python imports `sitecustomize` at start-up, before the program. Ours makes aiohttp honour the proxy
/// and CA variables (`ClientSession(trust_env=True)` by default; aiohttp ignores them otherwise, and
/// LiteLLM and the async Gemini client use it), then runs the user's own `sitecustomize`, if any,
/// which ours would otherwise hide. The patch is applied when `aiohttp.client` is first imported, so
/// programs that never use aiohttp pay nothing.
public enum PythonSiteCustomize {
    public static let fileName = "sitecustomize.py"

    public static let source = #"""
# Written by `sightline run`: brings Python clients that ignore HTTPS_PROXY through Sightline.
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys


def _sightline_patch_aiohttp(module):
    session = getattr(module, "ClientSession", None)
    if session is None or getattr(session, "_sightline_trust_env", False):
        return
    original = session.__init__

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("trust_env", True)
        original(self, *args, **kwargs)

    session.__init__ = __init__
    session._sightline_trust_env = True


class _SightlineFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "aiohttp.client":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        exec_module = loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _sightline_patch_aiohttp(module)

        loader.exec_module = exec_and_patch
        return spec


sys.meta_path.insert(0, _SightlineFinder())


def _sightline_chain_user_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


_sightline_chain_user_sitecustomize()
"""#
}
