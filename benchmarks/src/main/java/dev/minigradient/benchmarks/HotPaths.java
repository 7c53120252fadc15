package dev.minigradient.benchmarks;

import dev.minigradient.protocol.KeyKind;
import java.util.Arrays;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.minigradient.model.OnnxInferenceEngine;
import dev.minigradient.model.Preprocessing;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.model.preprocess.InvalidInputException;
import dev.minigradient.protocol.Hashes;
import dev.minigradient.protocol.Sealing;
import dev.minigradient.protocol.Signatures;
import dev.minigradient.protocol.Vote;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of a peer's and the consensus app's hot paths, one operation each, on the
 * repository's model and a sample digit ({@code $MG_HOME/models/mnist}, {@code MG_HOME} defaulting
 * to the working folder). Results are operations per second; the batched inference is per image.
 *
 * <p>Run: {@code ./mvnw -B -ntp -Pjmh package -DskipTests -Ddashboard.skip=true -pl benchmarks -am}
 * then {@code java -jar benchmarks/target/benchmarks.jar} (JMH options after it, e.g. {@code -f 1
 * -wi 2 -i 3 Sign}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPaths {
  /** Images per batched inference call. */
  public static final int BATCH = 32;

  private byte[] png;
  private float[] tensor;
  private Preprocessing preprocessing;
  private OnnxInferenceEngine engine;
  private OrtEnvironment env;
  private OrtSession session;
  private String inputName;
  private int batch;
  private float[] batchInput;
  private UnaryOperator<Vote> signer;
  private String publicKey;
  private Vote vote;
  private Vote signed;
  private Sealing.Sealer sealer;
  private Sealing.Opener opener;
  private Vote sealed;

  /**
   * Loads the model and a sample, and prepares a signed and a sealed vote.
   *
   * @throws IOException if the sample cannot be read
   * @throws OrtException if ONNX Runtime cannot load the model
   * @throws InvalidInputException if the sample does not preprocess
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException, OrtException, InvalidInputException {
    Path dir = Path.of(System.getenv().getOrDefault("MG_HOME", "."), "models", "mnist");
    try (var files = Files.list(dir.resolve("samples"))) {
      png =
          Files.readAllBytes(
              files.filter(f -> f.toString().endsWith(".png")).sorted().findFirst().orElseThrow());
    }
    preprocessing = Preprocessing.named("mnist-digit", InputLimits.MAX_PIXELS);
    tensor = preprocessing.apply(png);
    engine = OnnxInferenceEngine.open(dir.resolve("model.onnx"));
    env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1); // as the engine: one thread per session run
    session = env.createSession(dir.resolve("model.onnx").toString(), options);
    var input = session.getInputInfo().entrySet().iterator().next();
    inputName = input.getKey();
    long n = ((TensorInfo) input.getValue().getInfo()).getShape()[0];
    batch = n < 0 ? BATCH : (int) n; // a model with a fixed batch of 1 runs one image per call
    batchInput = new float[batch * tensor.length];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(tensor, 0, batchInput, i * tensor.length, tensor.length);
    }
    KeyPair keys = KeyKind.SIGNING.generate();
    signer = Signatures.signer(keys.getPrivate());
    publicKey = KeyKind.encode(keys.getPublic());
    double[] p = engine.probabilities(tensor);
    List<Double> probabilities = Arrays.stream(p).boxed().toList();
    vote =
        Vote.builder()
            .taskId("task-1")
            .peerId("peer-1")
            .modelId(engine.modelId())
            .inputSha256(Hashes.sha256Hex(png))
            .label(7)
            .probabilities(probabilities)
            .inferenceMs(0.5)
            .votedAt(System.currentTimeMillis())
            .build();
    signed = signer.apply(vote);
    KeyPair sealing = KeyKind.SEALING.generate();
    sealer = Sealing.sealer(sealing.getPublic());
    opener = Sealing.opener(sealing.getPrivate());
    sealed = sealer.seal(signed);
  }

  /**
   * Closes the sessions.
   *
   * @throws OrtException if ONNX Runtime fails to close
   */
  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    engine.close();
    session.close();
  }

  /**
   * Decodes the PNG and preprocesses it (MNIST recipe) into a [1,1,28,28] tensor.
   *
   * @return the tensor
   * @throws InvalidInputException never for the sample
   */
  @Benchmark
  public float[] decodeAndPreprocess() throws InvalidInputException {
    return preprocessing.apply(png);
  }

  /**
   * One inference of batch 1 through the engine, with softmax.
   *
   * @return the probabilities
   */
  @Benchmark
  public double[] inferBatch1() {
    return engine.probabilities(tensor);
  }

  /**
   * One inference of {@link #BATCH} images through ONNX Runtime directly (the engine runs one image
   * per call); the score is per image.
   *
   * @return the logits
   * @throws OrtException if the run fails
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public float[][] inferBatched() throws OrtException {
    try (OnnxTensor t =
            OnnxTensor.createTensor(
                env, FloatBuffer.wrap(batchInput), new long[] {batch, 1, 28, 28});
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  /**
   * Signs a vote with Ed25519 (BouncyCastle, through {@link Signatures}).
   *
   * @return the signed vote
   */
  @Benchmark
  public Vote sign() {
    return signer.apply(vote);
  }

  /**
   * Verifies a signed vote.
   *
   * @return whether it verifies (always true)
   */
  @Benchmark
  public boolean verify() {
    return Signatures.verify(signed, publicKey);
  }

  /**
   * Seals a signed vote to the consensus key (AES-GCM under an X25519-agreed key).
   *
   * @return the sealed vote
   */
  @Benchmark
  public Vote seal() {
    return sealer.seal(signed);
  }

  /**
   * Opens a sealed vote (the derived key cached, as in the consensus app).
   *
   * @return the opened vote
   */
  @Benchmark
  public Vote open() {
    return opener.open(sealed);
  }
}
