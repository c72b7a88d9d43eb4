// Package evidence keeps govhook's audit evidence: one hash-chained JSON record per admission
// request, appended to segment files and made durable before the response is sent; Verify
// checks a chain; package evidence/report turns it into the auditor's report.
//
// # Segments
//
// Each replica (webhook pod) writes its own chain into <dir>/<replica>/. A chain is split into
// segment files named by the seq of their first record, zero-padded to 20 digits
// (00000000000000000001.jsonl), so that name order is chain order. A new segment starts when
// the current one would grow past a size limit or is older than an age limit; the chain
// continues across segments unchanged.
//
// # Record encoding and the hash chain
//
// Each record is one line of JSON ending in a newline. The line always ends with the member
// "hash" followed by "}":
//
//	{"schema":"govhook.io/evidence/v1",...,"prevHash":"<hex>","hash":"<hex>"}
//
// hash is the lower-case hex SHA-256 of the line's bytes with the final `,"hash":"<hex>"}`
// replaced by `}`; prevHash is the hash of the previous record of the same replica (64 zeros
// for the first). seq starts at 1 and grows by one per record, across segments. A verifier
// needs no JSON canonicalisation: it strips the hash member, hashes the bytes, and compares.
// Members with empty values may be left out; a reader treats a missing member as empty.
//
// # Record types
//
//   - "admission": one admission request and its decision. The object is referenced by
//     objectSha256 only: records never hold object contents, Secret data, env values,
//     ConfigMap values or exec commands.
//   - "start": written each time a writer opens the chain, naming how (a new chain, or resumed
//     after seq N with head H), the pod, version, config digest and signing key id. The writer
//     holds an exclusive flock on the replica directory and never reuses a seq: it notes the
//     last durable seq in the file "written" and asks the newest anchor, and when the local
//     chain is behind either it starts a new chain (prevHash 64 zeros) after the highest seq
//     ever used, whose start record names the lost seqs; Verify reports that loss.
//   - "checkpoint": written every checkpoint interval even when idle, and when the writer
//     closes. With a signing key it carries keyId and an Ed25519 signature over the replica,
//     its seq, headHash, count and time; Verify checks it against pinned public keys. checkpoint.headSeq and checkpoint.headHash name the record before it (so they
//     equal seq-1 and prevHash); checkpoint.count is the number of non-checkpoint records since
//     the previous checkpoint (or the start of the chain) and checkpoint.from/to the earliest
//     and latest time among them. A silent stretch of time with no checkpoint means the
//     writer was not running.
//   - "recovery": the writer found and quarantined a torn tail (bytes after the last whole
//     record of the newest segment, left by a crash or a failed write) and names the
//     quarantine file next to the segment, with its size and SHA-256; and/or it resumed after
//     failed writes and counts the records it could not make durable (lost), whose requests
//     were answered according to onEvidenceFailure, and names the records of a failed write
//     that reached the disk whole after all (unconfirmedFirst..unconfirmedLast). A torn tail
//     has one quarantine file: when retries fail again at its offset, the writer cuts its own
//     bytes and the recovery record it finally writes counts every record lost since the first
//     failure.
//   - "mirror-loss": written before a checkpoint when the stdout mirror dropped lines since the
//     previous one (its reader slow or stuck): mirrorLoss.records counts the records dropped,
//     fromSeq..toSeq the first and last of them, other the anchor lines, reason why. The
//     records are whole in the chain; only the shipped copy lacks them.
package evidence
