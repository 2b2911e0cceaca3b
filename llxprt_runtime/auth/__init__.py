"""Auth: the precedence resolver, the runtime-scoped token cache, OAuth and the keyring."""

from llxprt_runtime.auth.keyfile import read_keyfile
from llxprt_runtime.auth.oauth import OAuthManager, OAuthProvider, OAuthToken, OAuthTokenRequest
from llxprt_runtime.auth.resolver import AuthPrecedenceResolver, ResolvedAuth
from llxprt_runtime.auth.secret_store import KEYRING_SERVICE, SecretStore, validate_key_name
from llxprt_runtime.auth.token_cache import CachedToken, RuntimeTokenCache, TokenScope

__all__ = [
    "KEYRING_SERVICE",
    "AuthPrecedenceResolver",
    "CachedToken",
    "OAuthManager",
    "OAuthProvider",
    "OAuthToken",
    "OAuthTokenRequest",
    "ResolvedAuth",
    "RuntimeTokenCache",
    "SecretStore",
    "TokenScope",
    "read_keyfile",
    "validate_key_name",
]
