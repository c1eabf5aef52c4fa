#pragma once
/// How a message's or attachment's content is stored. Two envelopes:
///   'K' ‖ Seal(case key, payload, ad)                       written by whoever holds the case key
///   'E' ‖ epoch id (8, big-endian) ‖ wrapped key length (2) ‖ wrapped item key ‖ Seal(item key, payload, ad)
/// The second lets intake add a message to an existing case knowing only the team public key:
/// the item key is wrapped through the current intake epoch exactly like a case key.

#include <functional>
#include <string_view>

#include "core/bytes.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace lifeline::intake {

/// "message" or "attachment": the field name in the associated data.
Bytes SealWithCaseKey(const crypto::SecretKey& case_key, CaseId case_id, std::string_view field, ByteView payload);
Bytes SealThroughEpoch(const crypto::IntakeEpoch& epoch, CaseId case_id, std::string_view field, ByteView payload);

/// Unwraps an epoch-wrapped item key (the team side supplies it: team key × epoch public key).
using EpochUnwrap = std::function<Result<crypto::SecretKey>(KeyEpochId, CaseId, ByteView wrapped)>;

/// Opens either envelope. case_key may be null when only epoch_unwrap is available, and
/// epoch_unwrap may be empty for a reader holding only the case key (the applicant).
/// kDecryptFailed on any tampering or when the needed key is not available.
Result<Bytes> OpenSealed(CaseId case_id, std::string_view field, ByteView sealed, const crypto::SecretKey* case_key,
                         const EpochUnwrap& epoch_unwrap);

}  // namespace lifeline::intake
