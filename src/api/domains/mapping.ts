// Domain rows <-> messages, for DomainService and for the domains listed on a connection.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Domain as DomainRow } from "../../generated/prisma/client.js";
import { domains } from "../../protocol/descriptors.js";

export function domainMessage(row: DomainRow, environmentId: string): MessageInitShape<typeof domains.DomainSchema> {
  return {
    id: row.id,
    domain: row.domain,
    environmentId,
    organizationId: row.organizationId,
    domainType: row.domainType as domains.DomainType,
    verificationStatus: row.verificationStatus as domains.VerificationStatus,
    verificationMethod: row.verificationMethod as domains.VerificationMethod,
    createTime: timestampFromDate(row.createTime),
    updateTime: timestampFromDate(row.updateTime),
  };
}
