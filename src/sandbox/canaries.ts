import { randomBytes, randomInt } from "node:crypto";
import { ALNUM, randomFrom, UPPER_ALNUM } from "./twin-env.ts";

/**
 * Fake but realistic-looking credentials planted in the decoy home and environment. Every value
 * carries the run's random token, so a leaked value can be recognised and tied to one run.
 */
export interface CanarySet {
  token: string;
  /** Paths relative to the decoy home → file content. */
  files: Map<string, string>;
  env: Record<string, string>;
}

function base64Lines(bytes: Buffer): string {
  const body = bytes.toString("base64");
  return body.match(/.{1,70}/g)?.join("\n") ?? body;
}

function pick<T>(choices: readonly T[]): T {
  return choices[randomInt(choices.length)] as T;
}

/** An OpenSSH private key's framing around random bytes that carry the token, of a varying size. */
function pem(label: string, byteCount: number, token: string): string {
  const size = byteCount + randomInt(Math.ceil(byteCount / 10));
  const cut = randomInt(64, size);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), randomBytes(cut), Buffer.from(token), randomBytes(size - cut)]);
  return `-----BEGIN ${label}-----\n${base64Lines(body)}\n-----END ${label}-----\n`;
}

/** Names and places that vary from run to run, so that the canaries are not one constant set. */
function persona(): { user: string; host: string; domain: string; region: string } {
  return {
    user: pick(["dev", "alex", "sam", "deploy", "build", "jo", "kim", "admin"]),
    host: pick(["workstation", "laptop", "devbox", "thinkpad", "buildhost", "desktop"]),
    domain: `${pick(["corp", "internal", "intra", "lan", "office"])}.example`,
    region: pick(["eu-central-1", "eu-west-1", "us-east-1", "us-west-2", "ap-southeast-1"]),
  };
}

/** `home` is the decoy home as seen inside the sandbox (the real home's path). */
export function makeCanaries(home: string): CanarySet {
  const token = randomBytes(8).toString("hex");
  const { user, host, domain, region } = persona();
  const awsKeyId = `AKIA${randomFrom(UPPER_ALNUM, 16)}`;
  const awsSecret = `${randomFrom(ALNUM, 24)}${token}`;
  const githubToken = `ghp_${randomFrom(ALNUM, 20)}${token}`;
  const pypiToken = `pypi-AgEIcHlwaS5vcmc${randomFrom(ALNUM, 40)}${token}`;
  const npmToken = `npm_${randomFrom(ALNUM, 20)}${token}`;
  const dockerAuth = Buffer.from(`${user}:${token}${randomFrom(ALNUM, 12)}`).toString("base64");
  const gcloudRefresh = `1//0${randomFrom(ALNUM, 40)}${token}`;
  const hostKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomFrom(ALNUM, 43)}`;

  const files = new Map<string, string>([
    [".ssh/id_rsa", pem("OPENSSH PRIVATE KEY", 1680, token)],
    [".ssh/id_rsa.pub", `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${randomFrom(ALNUM, 360)} ${user}@${host}\n`],
    [".ssh/id_ed25519", pem("OPENSSH PRIVATE KEY", 300, token)],
    [".ssh/id_ed25519.pub", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomFrom(ALNUM, 43)} ${user}@${host}\n`],
    [".ssh/known_hosts", `github.com ${hostKey}\ngitlab.${domain} ${hostKey}\n`],
    [".ssh/config", `Host build\n  HostName build.${domain}\n  User ${user}\n  IdentityFile ~/.ssh/id_ed25519\n`],
    [".aws/credentials", `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecret}\n`],
    [".aws/config", `[default]\nregion = ${region}\noutput = json\n`],
    [".config/gcloud/credentials.db", `SQLite format 3\u0000canary ${token} ${gcloudRefresh}\n`],
    [
      ".config/gcloud/application_default_credentials.json",
      `${JSON.stringify({ client_id: `${randomFrom(ALNUM, 12)}.apps.googleusercontent.com`, client_secret: `GOCSPX-${token}`, refresh_token: gcloudRefresh, type: "authorized_user" }, null, 2)}\n`,
    ],
    [
      ".kube/config",
      `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://k8s.${domain}:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.${token}.${randomFrom(ALNUM, 40)}\ncontexts:\n- context:\n    cluster: prod\n    user: admin\n  name: prod\ncurrent-context: prod\n`,
    ],
    [".docker/config.json", `${JSON.stringify({ auths: { [`registry.${domain}`]: { auth: dockerAuth } } }, null, 2)}\n`],
    [".npmrc", `//registry.npmjs.org/:_authToken=${npmToken}\n`],
    [".pypirc", `[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = ${pypiToken}\n`],
    [".netrc", `machine git.${domain} login ${user} password ${token}${randomFrom(ALNUM, 10)}\n`],
    [".git-credentials", `https://${user}:${githubToken}@github.com\n`],
    [".gitconfig", `[user]\n  name = ${user}\n  email = ${user}@${domain}\n[credential]\n  helper = store\n`],
    [".gnupg/private-keys-v1.d/8D5F2A3E0B1C4D6E7F8091A2B3C4D5E6F7081920.key", `Key: (private-key (rsa (n #00${randomFrom(UPPER_ALNUM, 64)}#) (d #${token}#)))\n`],
    [".gnupg/pubring.kbx", `KBXf canary ${token}\n`],
    [".azure/accessTokens.json", `${JSON.stringify([{ accessToken: `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${token}`, tokenType: "Bearer" }])}\n`],
    [".azure/azureProfile.json", `${JSON.stringify({ subscriptions: [{ id: randomFrom(ALNUM, 32), name: "prod" }] })}\n`],
    [".mozilla/firefox/profiles.ini", "[Profile0]\nName=default\nIsRelative=1\nPath=x.default\nDefault=1\n"],
    [".mozilla/firefox/x.default/logins.json", `${JSON.stringify({ logins: [{ hostname: "https://mail.example", encryptedUsername: randomBytes(48).toString("base64"), encryptedPassword: `${token}${randomBytes(48).toString("base64")}` }] })}\n`],
    [".mozilla/firefox/x.default/key4.db", `SQLite format 3\u0000nss ${token}\n`],
    [".config/google-chrome/Default/Login Data", `SQLite format 3\u0000logins ${token}\n`],
    [".config/google-chrome/Local State", `${JSON.stringify({ os_crypt: { encrypted_key: Buffer.from(`DPAPI${token}`).toString("base64") } })}\n`],
    [".bitcoin/wallet.dat", `\u0000\u0006\u0015\u0061 bitcoin wallet ${token}\n`],
    [".electrum/wallets/default_wallet", `${JSON.stringify({ keystore: { xprv: `xprv9s21ZrQH143K${token}${randomFrom(ALNUM, 60)}`, type: "bip32" } })}\n`],
    [
      ".ethereum/keystore/UTC--2024-01-01T00-00-00.000000000Z--4a6b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b",
      `${JSON.stringify({ address: "4a6b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b", crypto: { ciphertext: `${token}${randomFrom("0123456789abcdef", 48)}`, kdf: "scrypt" }, version: 3 })}\n`,
    ],
    [".bashrc", "# ~/.bashrc\nexport PATH=\"$HOME/.local/bin:$PATH\"\nalias ll='ls -l'\n"],
    [".profile", "# ~/.profile\nif [ -f ~/.bashrc ]; then . ~/.bashrc; fi\n"],
    [".zshrc", "# ~/.zshrc\nexport EDITOR=vim\n"],
    [".bash_history", `git push origin main\naws s3 ls\nexport GITHUB_TOKEN=${githubToken}\n`],
  ]);

  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: awsKeyId,
    AWS_SECRET_ACCESS_KEY: awsSecret,
    AWS_DEFAULT_REGION: region,
    GITHUB_TOKEN: githubToken,
    GH_TOKEN: githubToken,
    PYPI_TOKEN: pypiToken,
    TWINE_USERNAME: "__token__",
    TWINE_PASSWORD: pypiToken,
    NPM_TOKEN: npmToken,
    DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [`registry.${domain}`]: { auth: dockerAuth } } }),
    GOOGLE_APPLICATION_CREDENTIALS: `${home}/.config/gcloud/application_default_credentials.json`,
  };
  return { token, files, env };
}

/** Host home entry names that hold credentials: a mirrored one gets canary content, never left empty. */
const CREDENTIAL_FILE = /(^|\/)(\.?netrc|\.pgpass|\.my\.cnf|\.git-credentials|\.pypirc|\.npmrc|\.env(\..+)?|credentials(\.json|\.db)?|.*token.*|.*secret.*|.*passw.*|.*\.(pem|key|p12|pfx|jks|keystore))$/i;

/** Canary content for a mirrored host entry (path relative to the home), or undefined for an ordinary one. */
export function mirroredCanary(relative: string, token: string): string | undefined {
  const name = relative.slice(relative.lastIndexOf("/") + 1);
  if (relative.startsWith(".ssh/")) {
    if (name.endsWith(".pub") || name.startsWith("authorized_keys")) return `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomFrom(ALNUM, 43)}\n`;
    if (name.startsWith("id_") || name.endsWith("_key")) return pem("OPENSSH PRIVATE KEY", 300, token);
    return undefined;
  }
  if (!CREDENTIAL_FILE.test(relative)) return undefined;
  return `token = ${randomFrom(ALNUM, 12)}${token}${randomFrom(ALNUM, 8)}\n`;
}
