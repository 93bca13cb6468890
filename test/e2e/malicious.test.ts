import { describeBlockedCases } from "./blocked-cases.ts";
import { MALICIOUS_CASES } from "./packages.ts";

describeBlockedCases("malicious packages are blocked with the right blame", MALICIOUS_CASES);
