// The SSO secrets this server must read back (SAML SP private keys, PKCE verifiers) are sealed with one key
// generated once and kept in server_settings, shared by replicas.
import type { Db } from "../db/client.js";
import { SecretBox } from "../auth/secret-box.js";

const boxes = new WeakMap<Db, Promise<SecretBox>>();

export function ssoSecretBox(db: Db): Promise<SecretBox> {
  let box = boxes.get(db);
  if (!box) {
    box = SecretBox.fromSetting(db, "sso_secret_key");
    box.catch(() => boxes.delete(db));
    boxes.set(db, box);
  }
  return box;
}
