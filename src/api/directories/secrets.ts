// Bearer secrets of a directory's SCIM endpoint. The plain secret is in the response once; only its keyed hash
// is stored. A directory has no secret until one is created, so a new directory refuses SCIM calls until then.
import { inTransaction, type Tx } from "../../db/tx.js";
import { generateClientSecret, hashSecret, secretSuffix } from "../../auth/secrets.js";
import { failedPrecondition } from "../../protocol/errors.js";
import { newId } from "../../protocol/ids.js";
import { directories } from "../../protocol/descriptors.js";
import type { ServiceImplementation } from "../../protocol/rpc.js";
import type { ServiceDeps } from "../deps.js";
import { secretMessage } from "./mapping.js";
import { lockDirectory } from "./store.js";

type Methods = ServiceImplementation<typeof directories.DirectoryService>["methods"];

/** Two active secrets let an identity provider be switched to a new one before the old one is revoked. */
const MAX_ACTIVE = 2;
const { ACTIVE, INACTIVE } = directories.SecretStatus;

async function addSecret(tx: Tx, key: Buffer, directoryId: string) {
  const plain = generateClientSecret();
  const row = await tx.directorySecret.create({
    data: { id: newId("sec"), directoryId, secretHash: hashSecret(key, plain), secretSuffix: secretSuffix(plain), status: ACTIVE },
  });
  return { plainSecret: plain, secret: secretMessage(row) };
}

export function directorySecrets({ db, hashKey }: ServiceDeps): Methods {
  return {
    async createDirectorySecret(req) {
      return inTransaction(db, async (tx) => {
        const dir = await lockDirectory(tx, req.organizationId, req.directoryId, "directory_id");
        const active = await tx.directorySecret.count({ where: { directoryId: dir.id, status: ACTIVE } });
        if (active >= MAX_ACTIVE) throw failedPrecondition(`directory ${dir.id} already has ${MAX_ACTIVE} active secrets; regenerate to replace them`);
        return addSecret(tx, hashKey, dir.id);
      });
    },

    /** Deactivates every secret of the directory and issues one new secret. */
    async regenerateDirectorySecret(req) {
      return inTransaction(db, async (tx) => {
        const dir = await lockDirectory(tx, req.organizationId, req.directoryId, "directory_id");
        await tx.directorySecret.updateMany({ where: { directoryId: dir.id, status: ACTIVE }, data: { status: INACTIVE, expireTime: new Date() } });
        return addSecret(tx, hashKey, dir.id);
      });
    },
  };
}
