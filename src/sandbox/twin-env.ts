import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

/**
 * The sandbox's environment mirrors the host's: every host variable NAME appears, because payloads
 * check for CI markers, tokens and shells the host has (or lacks). Values pass only when they can
 * carry no secret; every other value is replaced with a canary of the same shape that carries the
 * run's token, so a stolen value is recognisable and worth nothing.
 *
 * A value is kept when, in this order:
 *   1. the name does not look like a secret (SECRET_NAME), and
 *   2. the name is on KEPT_NAMES or CA_BUNDLE_NAMES or starts with a KEPT_PREFIXES entry (CI
 *      markers, terminal and locale settings, interpreter and build configuration, paths of public
 *      CA bundles), or the
 *      value is a bare flag, number or version (`1`, `true`, `off`, `3.12.1`), which says nothing.
 * A secret-looking name always gets a canary, whatever its value.
 */
const SECRET_NAME = /TOKEN|SECRET|PASSW|(^|_)PWD$|(^|_)PASS(_|$)|(^|_)KEY(S)?(_|$)|APIKEY|PRIVATE|CREDENTIAL|AUTH|COOKIE|SIGNATURE|WEBHOOK|(^|_)DSN$|(^|_)SALT$/i;
/** The shell's working directory variables end in PWD without being passwords. */
const WORKING_DIR_NAMES = new Set(["PWD", "OLDPWD"]);

const KEPT_NAMES = new Set([
  // CI markers: payloads switch on these, and they name no secret.
  "CI", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "BUILD_ID", "RUN_ID",
  "GITHUB_ACTIONS", "GITHUB_WORKFLOW", "GITHUB_EVENT_NAME", "GITHUB_REF_NAME", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL",
  "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "RUNNER_OS", "RUNNER_ARCH", "RUNNER_ENVIRONMENT",
  "GITLAB_CI", "CI_SERVER", "CI_SERVER_NAME", "CI_PIPELINE_SOURCE", "CI_COMMIT_REF_NAME", "CI_PROJECT_PATH",
  "BUILDKITE", "CIRCLECI", "TRAVIS", "APPVEYOR", "TEAMCITY_VERSION", "TF_BUILD", "BITBUCKET_BUILD_NUMBER",
  "DRONE", "JENKINS_HOME", "JENKINS_URL", "HUDSON_URL", "CODEBUILD_BUILD_ID", "HEROKU_TEST_RUN_ID",
  // Terminal, locale, session and shell.
  "TERM", "COLORTERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "CLICOLOR",
  "LANG", "LANGUAGE", "TZ", "SHELL", "USER", "LOGNAME", "HOME", "PWD", "OLDPWD", "SHLVL", "EDITOR", "VISUAL", "PAGER",
  "LESS", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE", "MAIL", "DEBIAN_FRONTEND", "DISPLAY", "WAYLAND_DISPLAY",
  "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "container", "CONTAINER",
  // Dynamic linker and interpreter configuration: paths, and the interpreter needs them as they are.
  "LD_LIBRARY_PATH", "LD_PRELOAD", "VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV", "PYENV_ROOT", "PYENV_VERSION",
  // Build configuration a package's build reads the way the host's pip would.
  "CC", "CXX", "CPP", "LD", "AR", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS", "MAKEFLAGS", "ARCHFLAGS", "SOURCE_DATE_EPOCH",
  "PKG_CONFIG_PATH", "MANPATH", "INFOPATH",
]);
const KEPT_PREFIXES = ["LC_", "PYTHON", "XDG_", "CMAKE_", "SETUPTOOLS_", "DISTUTILS_", "_PYTHON_", "RUNNER_"];

/** Values that say nothing: flags, numbers, versions. */
const HARMLESS_VALUE = /^(|[01]|true|false|yes|no|on|off|y|n|\d{1,10}|v?\d+(\.\d+){1,3}([.-]?[a-z0-9]+)?)$/i;

/** Token prefixes that identify a credential's issuer; a canary keeps the prefix. */
const CREDENTIAL_PREFIXES = [
  "github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "glpat-", "gldt-", "glrt-", "xoxb-", "xoxp-", "xoxa-", "xapp-",
  "sk-ant-", "sk-proj-", "sk_live_", "sk_test_", "rk_live_", "sk-", "hf_", "npm_", "pypi-", "AKIA", "ASIA", "AIza",
  "ya29.", "dop_v1_", "SG.", "shpat_", "Bearer ",
];

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX = "0123456789abcdef";

export function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(Math.max(length, 0));
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * pip reads PIP_* variables in the build environments it starts without --isolated, so a host
 * value would steer pipcanary's own pip (PIP_REQUIRE_VIRTUALENV, PIP_CONSTRAINT, PIP_PREFIX, …).
 * Only settings that change nothing about what pip fetches or installs keep their value;
 * PIP_INDEX_URL (credentials bait; pip's command line always names the index) becomes a canary;
 * every other PIP_* name is left out, a tell that remains.
 */
const PIP_KEPT = new Set([
  "PIP_DEFAULT_TIMEOUT", "PIP_TIMEOUT", "PIP_RETRIES", "PIP_CERT", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_NO_INPUT",
  "PIP_PROGRESS_BAR", "PIP_NO_COLOR", "PIP_ROOT_USER_ACTION", "PIP_NO_WARN_SCRIPT_LOCATION",
]);
const PIP_BAIT = new Set(["PIP_INDEX_URL"]);

/** Variables whose value is the path of a public CA bundle: the path must be readable inside too. */
export const CA_BUNDLE_NAMES = new Set([
  "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PIP_CERT",
  "AWS_CA_BUNDLE", "GIT_SSL_CAINFO", "HTTPLIB2_CA_CERTS", "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "NIX_SSL_CERT_FILE",
  "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
]);

/** The sandbox's value for a host variable, or undefined when the name is left out. */
export function mirroredValue(name: string, value: string, token: string): string | undefined {
  if (name.startsWith("PIP_")) return PIP_KEPT.has(name) ? value : PIP_BAIT.has(name) ? shapedCanary(value, token) : undefined;
  return keepsHostValue(name, value) ? value : shapedCanary(value, token);
}

function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !WORKING_DIR_NAMES.has(name);
}

/** Whether the host's value of `name` may enter the sandbox as it is. */
export function keepsHostValue(name: string, value: string): boolean {
  if (isSecretName(name)) return false;
  if (KEPT_NAMES.has(name) || CA_BUNDLE_NAMES.has(name) || KEPT_PREFIXES.some((prefix) => name.startsWith(prefix))) return true;
  return HARMLESS_VALUE.test(value);
}

/** `length` characters of `alphabet` with the token somewhere inside (the whole token, even if longer). */
function withToken(alphabet: string, length: number, token: string): string {
  const fill = randomFrom(alphabet, Math.max(length - token.length, 4));
  const at = randomBytes(1)[0] ?? 0;
  const cut = at % (fill.length + 1);
  return `${fill.slice(0, cut)}${token}${fill.slice(cut)}`;
}

function pathCanary(value: string, token: string): string {
  const base = value.slice(value.lastIndexOf("/") + 1);
  const stem = base.replace(/[A-Za-z0-9]/g, () => randomFrom(ALNUM, 1));
  return `${dirname(value)}/${stem.length > 0 ? stem : randomFrom(ALNUM, 8)}.${token}`;
}

function urlCanary(url: URL, token: string): string {
  const user = url.username === "" ? "deploy" : url.username.replace(/[A-Za-z0-9]/g, () => randomFrom(ALNUM, 1));
  const host = `${randomFrom(ALNUM.slice(26, 52), 6)}.internal.example`;
  return `${url.protocol}//${user}:${withToken(ALNUM, 24, token)}@${host}${url.port === "" ? "" : `:${url.port}`}/`;
}

function pemCanary(value: string, token: string): string {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(value)?.[1] ?? "PRIVATE KEY";
  const body = Buffer.concat([randomBytes(48), Buffer.from(token), randomBytes(Math.max(Math.floor(value.length * 0.75) - 64, 32))]).toString("base64");
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)?.join("\n") ?? body}\n-----END ${label}-----\n`;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A JSON document (a service account, a docker config) with every string replaced by a canary. */
function jsonCanary(value: Json, token: string): Json {
  if (typeof value === "string") return shapedCanary(value, token);
  if (Array.isArray(value)) return value.map((item) => jsonCanary(item, token));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonCanary(item, token)]));
  return value;
}

/**
 * A canary in the shape of `value`: a known credential prefix is kept and the length class too, a
 * URL stays a URL (with canary credentials on a reserved host), a path a path, a PEM block a PEM
 * block, a JSON object the same object with canary strings, hex stays hex.
 */
export function shapedCanary(value: string, token: string): string {
  if (value.includes("-----BEGIN ")) return pemCanary(value, token);
  if (value.startsWith("{")) {
    try {
      return JSON.stringify(jsonCanary(JSON.parse(value) as Json, token));
    } catch {
      // Not JSON after all; falls through to the general shapes.
    }
  }
  const prefix = CREDENTIAL_PREFIXES.find((candidate) => value.startsWith(candidate));
  if (prefix === "AKIA" || prefix === "ASIA") return `${prefix}${randomFrom(UPPER_ALNUM, 16)}`;
  if (prefix !== undefined) return `${prefix}${withToken(ALNUM, value.length - prefix.length, token)}`;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(value)) {
    try {
      return urlCanary(new URL(value), token);
    } catch {
      // Not a URL after all; falls through to the general shapes.
    }
  }
  if (value.startsWith("/")) return pathCanary(value, token);
  if (/^[0-9a-f]+$/i.test(value)) return withToken(value === value.toUpperCase() ? HEX.toUpperCase() : HEX, value.length, token);
  return withToken(ALNUM, value.length, token);
}
