// User profile input: the create and update shapes, including the deprecated first_name/last_name the SDK sends
// (the current given_name/family_name win when both are given).
import type { Prisma } from "../../generated/prisma/client.js";
import type { users } from "../../protocol/descriptors.js";
import { checkGroups, checkMap, checkText } from "./validation.js";

const NAME_MAX = 255;

export function profileForCreate(p: users.CreateUserProfile | undefined): Partial<Prisma.UserCreateInput> {
  if (!p) return {};
  return {
    givenName: checkText("user_profile.given_name", p.givenName || p.firstName, NAME_MAX),
    familyName: checkText("user_profile.family_name", p.familyName || p.lastName, NAME_MAX),
    name: checkText("user_profile.name", p.name, NAME_MAX),
    locale: checkText("user_profile.locale", p.locale, 35),
    phoneNumber: checkText("user_profile.phone_number", p.phoneNumber, 32),
    picture: checkText("user_profile.picture", p.picture ?? "", 2048),
    preferredUsername: checkText("user_profile.preferred_username", p.preferredUsername, 512),
    gender: checkText("user_profile.gender", p.gender ?? "", 64),
    groups: checkGroups(p.groups),
    customAttributes: checkMap("user_profile.custom_attributes", p.customAttributes, 20),
    profileMetadata: checkMap("user_profile.metadata", p.metadata, 20),
  };
}

/** Only the fields present change; maps and lists cannot be "absent", so empty ones mean "unchanged". */
export function profileForUpdate(p: users.UpdateUserProfile | undefined): Prisma.UserUpdateInput {
  if (!p) return {};
  const out: Prisma.UserUpdateInput = {};
  const given = p.givenName ?? p.firstName;
  const family = p.familyName ?? p.lastName;
  if (given !== undefined) out.givenName = checkText(p.givenName !== undefined ? "user_profile.given_name" : "user_profile.first_name", given, p.givenName !== undefined ? NAME_MAX : 200);
  if (family !== undefined) out.familyName = checkText(p.familyName !== undefined ? "user_profile.family_name" : "user_profile.last_name", family, p.familyName !== undefined ? NAME_MAX : 200);
  if (p.name !== undefined) out.name = checkText("user_profile.name", p.name, NAME_MAX);
  if (p.locale !== undefined) out.locale = checkText("user_profile.locale", p.locale, 35);
  if (p.phoneNumber !== undefined) out.phoneNumber = checkText("user_profile.phone_number", p.phoneNumber, 32);
  if (p.picture !== undefined) out.picture = checkText("user_profile.picture", p.picture, 2048);
  if (p.preferredUsername !== undefined) out.preferredUsername = checkText("user_profile.preferred_username", p.preferredUsername, 512);
  if (p.gender !== undefined) out.gender = checkText("user_profile.gender", p.gender, 64);
  if (p.groups.length) out.groups = checkGroups(p.groups);
  if (Object.keys(p.customAttributes).length) out.customAttributes = checkMap("user_profile.custom_attributes", p.customAttributes, 20);
  if (Object.keys(p.metadata).length) out.profileMetadata = checkMap("user_profile.metadata", p.metadata, 20);
  return out;
}
