import { randomBytes } from "node:crypto";

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

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

function base64Lines(byteCount: number, prefix = ""): string {
  const body = Buffer.concat([Buffer.from(prefix), randomBytes(byteCount)]).toString("base64");
  return body.match(/.{1,70}/g)?.join("\n") ?? body;
}

function pem(label: string, byteCount: number, token: string): string {
  return `-----BEGIN ${label}-----\n${base64Lines(byteCount, `pipcanary-${token}`)}\n-----END ${label}-----\n`;
}

/** `home` is the decoy home as seen inside the sandbox (the real home's path). */
export function makeCanaries(home: string): CanarySet {
  const token = randomBytes(8).toString("hex");
  const awsKeyId = `AKIA${randomFrom(UPPER_ALNUM, 16)}`;
  const awsSecret = `${randomFrom(ALNUM, 24)}${token}`;
  const githubToken = `ghp_${randomFrom(ALNUM, 20)}${token}`;
  const pypiToken = `pypi-AgEIcHlwaS5vcmc${randomFrom(ALNUM, 40)}${token}`;
  const npmToken = `npm_${randomFrom(ALNUM, 20)}${token}`;
  const dockerAuth = Buffer.from(`canary:${token}${randomFrom(ALNUM, 12)}`).toString("base64");
  const gcloudRefresh = `1//0${randomFrom(ALNUM, 40)}${token}`;
  const hostKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomFrom(ALNUM, 43)}`;

  const files = new Map<string, string>([
    [".ssh/id_rsa", pem("OPENSSH PRIVATE KEY", 1680, token)],
    [".ssh/id_rsa.pub", `ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${randomFrom(ALNUM, 360)} dev@workstation\n`],
    [".ssh/id_ed25519", pem("OPENSSH PRIVATE KEY", 300, token)],
    [".ssh/id_ed25519.pub", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomFrom(ALNUM, 43)} dev@workstation\n`],
    [".ssh/known_hosts", `github.com ${hostKey}\ngitlab.internal.example ${hostKey}\n`],
    [".ssh/config", "Host build\n  HostName build.internal.example\n  User deploy\n  IdentityFile ~/.ssh/id_ed25519\n"],
    [".aws/credentials", `[default]\naws_access_key_id = ${awsKeyId}\naws_secret_access_key = ${awsSecret}\n`],
    [".aws/config", "[default]\nregion = eu-central-1\noutput = json\n"],
    [".config/gcloud/credentials.db", `SQLite format 3\u0000canary ${token} ${gcloudRefresh}\n`],
    [
      ".config/gcloud/application_default_credentials.json",
      `${JSON.stringify({ client_id: `${randomFrom(ALNUM, 12)}.apps.googleusercontent.com`, client_secret: `GOCSPX-${token}`, refresh_token: gcloudRefresh, type: "authorized_user" }, null, 2)}\n`,
    ],
    [
      ".kube/config",
      `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://k8s.internal.example:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.${token}.${randomFrom(ALNUM, 40)}\ncontexts:\n- context:\n    cluster: prod\n    user: admin\n  name: prod\ncurrent-context: prod\n`,
    ],
    [".docker/config.json", `${JSON.stringify({ auths: { "registry.internal.example": { auth: dockerAuth } } }, null, 2)}\n`],
    [".npmrc", `//registry.npmjs.org/:_authToken=${npmToken}\n`],
    [".pypirc", `[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = ${pypiToken}\n`],
    [".netrc", `machine git.internal.example login deploy password ${token}${randomFrom(ALNUM, 10)}\n`],
    [".git-credentials", `https://deploy:${githubToken}@github.com\n`],
    [".gitconfig", "[user]\n  name = Dev\n  email = dev@workstation.example\n[credential]\n  helper = store\n"],
    [".gnupg/private-keys-v1.d/8D5F2A3E0B1C4D6E7F8091A2B3C4D5E6F7081920.key", `Key: (private-key (rsa (n #00${randomFrom(UPPER_ALNUM, 64)}#) (d #${token}#)))\n`],
    [".gnupg/pubring.kbx", `KBXf canary ${token}\n`],
    [".azure/accessTokens.json", `${JSON.stringify([{ accessToken: `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${token}`, tokenType: "Bearer" }])}\n`],
    [".azure/azureProfile.json", `${JSON.stringify({ subscriptions: [{ id: randomFrom(ALNUM, 32), name: "prod" }] })}\n`],
    [".mozilla/firefox/profiles.ini", "[Profile0]\nName=default\nIsRelative=1\nPath=x.default\nDefault=1\n"],
    [".mozilla/firefox/x.default/logins.json", `${JSON.stringify({ logins: [{ hostname: "https://mail.example", encryptedUsername: base64Lines(48), encryptedPassword: `${token}${base64Lines(48)}` }] })}\n`],
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
    AWS_DEFAULT_REGION: "eu-central-1",
    GITHUB_TOKEN: githubToken,
    GH_TOKEN: githubToken,
    PYPI_TOKEN: pypiToken,
    TWINE_USERNAME: "__token__",
    TWINE_PASSWORD: pypiToken,
    NPM_TOKEN: npmToken,
    DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "registry.internal.example": { auth: dockerAuth } } }),
    GOOGLE_APPLICATION_CREDENTIALS: `${home}/.config/gcloud/application_default_credentials.json`,
  };
  return { token, files, env };
}
