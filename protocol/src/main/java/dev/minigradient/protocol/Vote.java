package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A peer's answer to one task, published to {@link Topics#VOTES} keyed by {@code taskId} (so it is
 * co-partitioned with its task).
 *
 * @param schemaVersion wire schema version
 * @param taskId the task answered
 * @param peerId the voting peer
 * @param modelId SHA-256 of the ONNX file the peer ran
 * @param inputSha256 SHA-256 of the input bytes the peer received
 * @param label the predicted class (argmax of the probabilities), or {@link #REJECTED} when the
 *     peer refused the input
 * @param rejection why the peer refused the input (e.g. {@code not-an-image}), else null
 * @param probabilities softmax of the model's logits, one per class, summing to 1
 * @param inferenceMs time spent decoding, preprocessing and running the model, ms
 * @param votedAt when the vote was published, epoch ms
 * @param signature Ed25519 signature (base64) over {@link #signedPayload()}, or over the root of
 *     the batch it was signed in (see {@code batchProof}); see {@link Signatures}
 * @param sealKey for a sealed vote, the peer's ephemeral X25519 public key (base64 X.509), else
 *     null; see {@link Sealing}
 * @param sealed for a sealed vote, base64 of the nonce and AES-GCM ciphertext of the label,
 *     rejection and probabilities (then 0, null and empty in the clear), else null
 * @param runtime what produced the vote: ONNX Runtime version, execution provider and CPU features
 *     (e.g. {@code onnxruntime 1.29.0; CPU; amd64 avx2}), or null; tells hardware drift on a
 *     near-tie from a lie when a referee compares probabilities
 * @param batchProof for a vote signed in a batch, its inclusion proof in the batch's Merkle tree
 *     ({@link MerkleBatch}), and then {@code signature} covers the batch's root ({@link
 *     Signatures#batchRootPayload(byte[])}); null for a vote signed alone
 * @param values for a model whose votes agree by value ({@link Agreement}), the agreed output's
 *     elements, row-major (label 0, no probabilities); empty for a class vote (absent in JSON)
 */
@RecordBuilder
public record Vote(
    int schemaVersion,
    String taskId,
    String peerId,
    String modelId,
    String inputSha256,
    int label,
    String rejection,
    List<Double> probabilities,
    double inferenceMs,
    long votedAt,
    String signature,
    String sealKey,
    String sealed,
    String runtime,
    String batchProof,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Double> values) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** The label of a vote that refuses the input as invalid. */
  public static final int REJECTED = -1;

  /** Validates the identifying fields. */
  public Vote {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(peerId, "peerId");
    if (votedAt < 0 || votedAt > System.currentTimeMillis() + Task.MAX_CLOCK_SKEW_MS) {
      throw new IllegalArgumentException(
          "votedAt " + votedAt + " is negative or more than an hour ahead");
    }
    probabilities = probabilities == null ? List.of() : List.copyOf(probabilities);
    values = values == null ? List.of() : List.copyOf(values);
  }

  /**
   * The canonical bytes a peer signs: task id, peer id, model id, input SHA-256, label and the
   * probabilities (as IEEE-754 bit patterns, so no decimal formatting can change them), joined by
   * newlines in UTF-8; a value vote's values follow a {@code values} line, as bit patterns too.
   *
   * @return the bytes to sign or verify
   */
  public byte[] signedPayload() {
    StringBuilder sb = new StringBuilder(256);
    sb.append("mini-gradient/vote/v1\n")
        .append(taskId)
        .append('\n')
        .append(peerId)
        .append('\n')
        .append(modelId)
        .append('\n')
        .append(inputSha256)
        .append('\n')
        .append(label)
        .append('\n')
        .append(rejection == null ? "" : rejection);
    for (Double p : probabilities) {
      sb.append('\n').append(Long.toHexString(Double.doubleToLongBits(p)));
    }
    if (!values.isEmpty()) {
      sb.append("\nvalues");
      for (Double v : values) {
        sb.append('\n').append(Long.toHexString(Double.doubleToLongBits(v)));
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns a copy carrying a runtime description (not signed: it explains, it proves nothing).
   *
   * @param what the runtime description
   * @return the vote
   */
  public Vote withRuntime(String what) {
    return toBuilder().runtime(what).build();
  }

  /**
   * Whether the vote's label and probabilities can be read by anyone who reads the topic.
   *
   * @return true unless it is sealed to the consensus app
   */
  public boolean isReadable() {
    return sealed == null;
  }

  /**
   * Returns a copy carrying {@code newSignature}, signed alone (no batch proof).
   *
   * @param newSignature base64 Ed25519 signature over {@link #signedPayload()}
   * @return the signed vote
   */
  public Vote withSignature(String newSignature) {
    return toBuilder().signature(newSignature).batchProof(null).build();
  }

  /**
   * A builder for a vote in the clear: schema version {@link #SCHEMA_VERSION}, label 0, no
   * probabilities, times 0, and no rejection, signature, seal or runtime until set.
   *
   * @return a new builder
   */
  public static VoteBuilder builder() {
    return VoteBuilder.builder()
        .schemaVersion(SCHEMA_VERSION)
        .probabilities(List.of())
        .values(List.of());
  }

  /**
   * A builder holding this vote's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public VoteBuilder toBuilder() {
    return VoteBuilder.builder(this);
  }
}
