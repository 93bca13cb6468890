import { describe, expect, test } from "bun:test";
import { requirementFiles } from "../../src/fetch/requirements-file.ts";
import { requirement } from "../e2e/helpers.ts";

describe("requirements files for pip", () => {
  test("keep extras, specifiers, markers and hashes; constraints go to their own file; URLs dropped offline", () => {
    const set = {
      requirements: [
        { ...requirement("Flask", ">=3"), extras: ["async"], markerText: 'python_version >= "3.8"', hashes: ["sha256:aa", "sha256:bb"] },
        { ...requirement("direct"), url: "https://example.invalid/direct-1.0.tar.gz" },
        { ...requirement("urllib3", "<3"), constraint: true },
      ],
      index: { indexUrl: undefined, extraIndexUrls: [], findLinks: [], pre: false, onlyBinary: [] },
    };
    expect(requirementFiles(set)).toEqual({
      requirements: 'Flask[async]>=3 ; python_version >= "3.8" --hash=sha256:aa --hash=sha256:bb\ndirect @ https://example.invalid/direct-1.0.tar.gz\n',
      constraints: "urllib3<3\n",
    });
    expect(requirementFiles(set, { dropUrls: true }).requirements).toContain("\ndirect\n");
  });
});
