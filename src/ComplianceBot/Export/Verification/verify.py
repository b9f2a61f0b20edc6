#!/usr/bin/env python3
"""Verifies a ComplianceBot audit export on its own: Python 3.8+ standard library only, no network.

    python3 verify.py export.zip                   # or a folder the zip was extracted to
    python3 verify.py export.zip --key-id <hex>    # also require the signing key you were given

Checks, as VERIFY.md specifies byte by byte: every file against manifest.json; the manifest's ECDSA P-256 signature;
every attestation's content_hash; every evidence file against its recorded SHA-256; every audit event's hash, the
chain's links and the signed checkpoints of its head. Prints one line per problem; exit status 0 = verified,
1 = problems found, 2 = could not read the export.
"""
import csv
import hashlib
import io
import json
import os
import re
import sys
import zipfile

# --- ECDSA P-256 (FIPS 186-4, curve secp256r1); verification only, written out so no package is needed ---------------
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
A = P - 3
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def _add(p1, p2):
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    if p1 == p2:
        m = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P
    else:
        m = (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (m * m - x1 - x2) % P
    return (x3, (m * (x1 - x3) - y1) % P)


def _mul(k, point):
    result = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def public_key_from_pem(pem_text):
    body = "".join(line for line in pem_text.strip().splitlines() if not line.startswith("-----"))
    import base64
    der = base64.b64decode(body)
    if len(der) != 91 or not der.startswith(SPKI_PREFIX) or der[26] != 4:
        raise ValueError("not an uncompressed P-256 SubjectPublicKeyInfo")
    x, y = int.from_bytes(der[27:59], "big"), int.from_bytes(der[59:91], "big")
    if (y * y - (x * x * x + A * x + B)) % P != 0:
        raise ValueError("the public key is not a point on P-256")
    return (x, y), hashlib.sha256(der).hexdigest()


def ecdsa_verify(public_key, message, signature_hex):
    try:
        raw = bytes.fromhex(signature_hex.strip())
    except ValueError:
        return False
    if len(raw) != 64:
        return False
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not (0 < r < N and 0 < s < N):
        return False
    z = int.from_bytes(hashlib.sha256(message).digest(), "big")
    w = pow(s, -1, N)
    point = _add(_mul(z * w % N, G), _mul(r * w % N, public_key))
    return point is not None and point[0] % N == r


# --- The record hash (VERIFY.md, "Record hash") -----------------------------------------------------------------------
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def record_hash(fields):
    """SHA-256 over "<UTF-16 length>:<field>\\n" per field, the whole text as UTF-8."""
    text = "".join("%d:%s\n" % (len(f.encode("utf-16-le", "surrogatepass")) // 2, f) for f in fields)
    return hashlib.sha256(_LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")).hexdigest()


def unescape_cell(cell):
    """Undoes the formula-injection escape: a leading ' before = + - @ tab CR or ' was added by the exporter."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r'":
        return cell[1:]
    return cell


class Export:
    def __init__(self, path):
        self.files = {}
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                for name in names:
                    full = os.path.join(root, name)
                    with open(full, "rb") as handle:
                        self.files[os.path.relpath(full, path).replace(os.sep, "/")] = handle.read()
        else:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        self.files[info.filename] = archive.read(info)

    def text(self, name):
        return self.files[name].decode("utf-8")

    def csv_rows(self, name):
        reader = csv.DictReader(io.StringIO(self.text(name), newline=""))
        return [{k: unescape_cell(v or "") for k, v in row.items()} for row in reader]


def verify(path, expected_key_id=None, public_key_pem=None):
    problems, findings, notes = [], [], []
    export = Export(path)

    # 1. Manifest: every file listed with its size and SHA-256, nothing unlisted.
    if "manifest.json" not in export.files:
        return ["manifest.json is missing"], findings, notes
    manifest_bytes = export.files["manifest.json"]
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as error:
        return ["manifest.json cannot be read (%s)" % error], findings, notes
    for name, entry in sorted(listed.items()):
        data = export.files.get(name)
        if data is None:
            problems.append("%s: listed in the manifest but missing from the export" % name)
        elif len(data) != entry.get("bytes") or hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            problems.append("%s: does not match the manifest (size or SHA-256 differs: the file was changed)" % name)
    for name in sorted(set(export.files) - set(listed) - {"manifest.json", "manifest.sig"}):
        problems.append("%s: in the export but not in the manifest" % name)

    # 2. Signature over manifest.json's exact bytes.
    key_pem = public_key_pem or (export.text("signing-key.pem") if "signing-key.pem" in export.files else None)
    public_key = key_id = None
    if key_pem is None:
        problems.append("signing-key.pem is missing: the manifest's signature cannot be checked")
    else:
        try:
            public_key, key_id = public_key_from_pem(key_pem)
        except (ValueError, TypeError) as error:
            problems.append("signing-key.pem is not a P-256 public key (%s)" % error)
    if public_key is not None:
        notes.append("signing key id (SHA-256 of the public key): %s" % key_id)
        if expected_key_id and key_id != expected_key_id.lower():
            problems.append("the export was signed with key %s, not the expected %s" % (key_id, expected_key_id))
        if manifest.get("signature", {}).get("keyId") not in (None, key_id):
            problems.append("manifest.json names signing key %s but signing-key.pem is %s" % (manifest["signature"]["keyId"], key_id))
        signature = export.files.get("manifest.sig", b"").decode("ascii", "replace")
        if not ecdsa_verify(public_key, manifest_bytes, signature):
            problems.append("manifest.sig is not a valid signature of manifest.json by the signing key")

    # 3. Attestation records: content_hash recomputed from the CSV's own columns.
    for name in sorted(n for n in export.files if n == "attestations.csv" or n.endswith("/attestations.csv")):
        for row in export.csv_rows(name):
            fields = [row["control_id"], row["period"], row["attested_by"], row["attested_at_utc"], row["channel"], row["message_reference"],
                      row["statement"], row["outcome"], row["notes"], row["evidence_reference"], row["supersedes_id"]]
            if record_hash(fields) != row["content_hash"]:
                problems.append("%s: attestation %s does not match its content_hash (the record was changed)" % (name, row["attestation_id"]))

    # 4. Evidence files against the SHA-256 recorded at upload; problems the host already reported are findings.
    reported = {}
    if "evidence-problems.csv" in export.files:
        for row in export.csv_rows("evidence-problems.csv"):
            reported[row["archive_path"]] = row["problem"]
            findings.append("evidence %s (%s): %s" % (row["evidence_id"], row["archive_path"], row["problem"]))
    if "evidence.csv" in export.files:
        for row in export.csv_rows("evidence.csv"):
            data = export.files.get(row["archive_path"])
            if data is None:
                if row["archive_path"] not in reported:
                    problems.append("evidence %s: %s is missing from the export" % (row["evidence_id"], row["archive_path"]))
            elif hashlib.sha256(data).hexdigest() != row["sha256"] and row["archive_path"] not in reported:
                problems.append("evidence %s: %s does not match the SHA-256 recorded at upload" % (row["evidence_id"], row["archive_path"]))

    # 5. Audit chain: links of every event, hashes of the exported events, signed checkpoints of the head.
    chain = {}
    if "audit/chain.csv" not in export.files:
        problems.append("audit/chain.csv is missing")
    else:
        previous, expected = "", 1
        for row in export.csv_rows("audit/chain.csv"):
            sequence = int(row["sequence"])
            if sequence != expected:
                problems.append("audit chain: sequence %d follows %d (events are missing)" % (sequence, expected - 1))
                expected = sequence
            if row["previous_hash"] != previous:
                problems.append("audit chain: event %d does not link to the hash of event %d" % (sequence, sequence - 1))
            chain[sequence] = (row["previous_hash"], row["hash"])
            previous, expected = row["hash"], sequence + 1
    head = max(chain) if chain else 0
    generated = False
    if "audit/events.jsonl" in export.files:
        for number, line in enumerate(export.text("audit/events.jsonl").splitlines(), 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                fields = [str(event["sequence"]), event["timestamp"], event["actor"], event["action"], event["subject"], event["data"], event["previousHash"]]
            except (ValueError, KeyError, TypeError):
                # A changed byte can break the JSON or a key name: that is tampering to report, not a file we cannot read.
                problems.append("audit/events.jsonl line %d: the event cannot be read (the event was changed)" % number)
                continue
            if record_hash(fields) != event["hash"]:
                problems.append("audit/events.jsonl line %d: event %d does not match its hash (the event was changed)" % (number, event["sequence"]))
            if chain.get(event["sequence"]) != (event["previousHash"], event["hash"]):
                problems.append("audit/events.jsonl line %d: event %d is not the event at that place in audit/chain.csv" % (number, event["sequence"]))
            generated = generated or event["action"] == "export.generated"
    if not generated:
        problems.append("audit/events.jsonl has no export.generated event for this export")
    checkpoints = []
    if "audit/checkpoints.jsonl" in export.files:
        checkpoints = [json.loads(line) for line in export.text("audit/checkpoints.jsonl").splitlines() if line.strip()]
    if not checkpoints:
        problems.append("audit/checkpoints.jsonl holds no signed checkpoint of the chain head")
    for checkpoint in checkpoints:
        sequence, digest = int(checkpoint["sequence"]), checkpoint["hash"]
        signed = ("compliancebot-audit-checkpoint-v1\n%d\n%s\n%s\n" % (sequence, digest, checkpoint["createdAt"])).encode("utf-8")
        if public_key is not None and checkpoint.get("keyId") == key_id and not ecdsa_verify(public_key, signed, checkpoint["signature"]):
            problems.append("checkpoint at event %d: the signature does not verify" % sequence)
        elif public_key is not None and checkpoint.get("keyId") != key_id:
            findings.append("checkpoint at event %d was signed by another key (%s); not checked" % (sequence, checkpoint.get("keyId")))
        if sequence > head:
            problems.append("checkpoint at event %d, but the chain ends at event %d: the newest events were deleted" % (sequence, head))
        elif chain.get(sequence, (None, None))[1] != digest:
            problems.append("checkpoint at event %d: the chain has another hash there (events were rewritten and re-hashed)" % sequence)
    if checkpoints and head > max(int(c["sequence"]) for c in checkpoints):
        findings.append("events after the last checkpoint (%d..%d) are covered by the chain but by no signed checkpoint" % (max(int(c["sequence"]) for c in checkpoints) + 1, head))
    notes.append("%d files, %d audit events in the chain, %d checkpoints" % (len(listed), head, len(checkpoints)))
    return problems, findings, notes


def main(argv):
    args, key_id, pem = [], None, None
    iterator = iter(argv)
    for arg in iterator:
        if arg == "--key-id":
            key_id = next(iterator, None)
        elif arg == "--public-key":
            with open(next(iterator), encoding="ascii") as handle:
                pem = handle.read()
        else:
            args.append(arg)
    if len(args) != 1:
        print(__doc__.strip())
        return 2
    try:
        problems, findings, notes = verify(args[0], key_id, pem)
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError) as error:
        print("ERROR: cannot read %s: %s" % (args[0], error))
        return 2
    for note in notes:
        print("NOTE: " + note)
    for finding in findings:
        print("FINDING: " + finding)
    for problem in problems:
        print("PROBLEM: " + problem)
    print("VERIFIED: the export is intact and signed." if not problems else "NOT VERIFIED: %d problem(s)." % len(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
