package dev.minigradient.launcher;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.security.KeyPair;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * The worker section's baseline: a peer's work in a plain loop on one thread, with no Kafka.
 *
 * @param inferOnly votes/s of decode, preprocess and ONNX inference
 * @param withSigning votes/s of the same plus SHA-256, sign, seal and serialize
 */
record RawLoop(double inferOnly, double withSigning) {
  /**
   * Times both loops over the sample images.
   *
   * @param ctx the run (model and images)
   * @param n calls timed per loop
   * @param peerId the votes' peer id
   * @param keys the signing key pair
   * @return both rates
   */
  static RawLoop measure(BenchContext ctx, int n, String peerId, KeyPair keys) {
    ServedModel model = ctx.model();
    double inferOnly = rate(n, i -> model.infer(ctx.image(i)));
    UnaryOperator<Vote> signer = Signatures.signer(keys.getPrivate());
    Sealing.Sealer sealer = Sealing.sealer(KeyKind.SEALING.generate().getPublic());
    var serializer = Topics.VOTES.valueSerde().serializer();
    double withSigning =
        rate(
            n,
            i -> {
              byte[] b = ctx.image(i);
              ServedModel.Prediction p = model.infer(b);
              Vote v =
                  Vote.builder()
                      .taskId("task-" + i)
                      .peerId(peerId)
                      .modelId(model.modelId())
                      .inputSha256(Hashes.sha256Hex(b))
                      .label(p.label())
                      .rejection(p.rejection())
                      .probabilities(p.probabilities())
                      .inferenceMs(0.1)
                      .votedAt(System.currentTimeMillis())
                      .build();
              serializer.serialize(Topics.VOTES.name(), sealer.seal(signer.apply(v)));
            });
    return new RawLoop(inferOnly, withSigning);
  }

  /**
   * Calls {@code work} {@code n} times, per second, after a warm-up of at least 2 s and 500 calls
   * (the JIT compiles the PNG decoder late).
   */
  private static double rate(int n, IntConsumer work) {
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    for (int i = 0; i < 500 || System.nanoTime() < warmUntil; i++) {
      work.accept(i);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      work.accept(i);
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }
}
