package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.InferenceRequest;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Tensor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Tensor inputs for a tensor model: V2 JSON or .npy, checked before anything is sent. */
class TensorInputsTest {
  private static final Path WINE = Path.of("..", "models", "wine");

  @TempDir Path dir;

  /** A version 1.0 .npy file of {@code values} as little-endian float32 in shape {@code dims}. */
  static byte[] npy(String descr, String dims, float... values) {
    String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int pad = 64 - (10 + header.length() + 1) % 64;
    header = header + " ".repeat(pad % 64) + "\n";
    ByteBuffer b =
        ByteBuffer.allocate(10 + header.length() + 4 * values.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static Input input(String name, byte[] bytes) {
    return new Input(name, null, bytes, null, null);
  }

  @Test
  void aV2RequestPassesAsItIsAndAnNpyArrayBecomesTheModelsOneInput() throws Exception {
    ModelSpec wine = ModelSpec.load(WINE);
    Path sample;
    try (var files = Files.list(WINE.resolve("samples"))) {
      sample = files.filter(f -> f.toString().endsWith(".json")).sorted().findFirst().orElseThrow();
    }
    float[] row = new float[13];
    for (int i = 0; i < 13; i++) {
      row[i] = i + 0.5f;
    }
    List<Input> out =
        TensorInputs.prepare(
            wine,
            List.of(
                input("a.json", Files.readAllBytes(sample)),
                input("b.npy", npy("<f4", "1, 13", row))));
    assertThat(out.get(0).bytes()).isEqualTo(Files.readAllBytes(sample));
    Tensor t = InferenceRequest.readInputs(out.get(1).bytes()).get(0);
    assertThat(t).isEqualTo(Tensor.fp32("features", row, 1, 13));
  }

  @Test
  void anInputTheModelDoesNotTakeIsRefusedNamingTheFileAndTheReason() {
    ModelSpec wine = ModelSpec.load(WINE);
    assertThatThrownBy(
            () ->
                TensorInputs.prepare(
                    wine, List.of(input("short.npy", npy("<f4", "1, 12", new float[12])))))
        .hasMessage("short.npy: input features must have shape [-1, 13], has [1, 12]");
    assertThatThrownBy(
            () ->
                TensorInputs.prepare(
                    wine, List.of(input("f64.npy", npy("<f2", "1, 13", new float[13])))))
        .hasMessageContaining("f64.npy: .npy element type <f2 is not one a task carries");
    assertThatThrownBy(
            () ->
                TensorInputs.prepare(
                    wine,
                    List.of(
                        input(
                            "x.json",
                            InferenceRequest.write(
                                List.of(Tensor.fp32("x", new float[13], 1, 13)))))))
        .hasMessageContaining("x.json: the model has no input x");
    assertThatThrownBy(
            () ->
                TensorInputs.prepare(
                    wine, List.of(input("two.npy", npy("<f4", "2, 13", new float[26])))))
        .hasMessageContaining("first dimension must be 1");
  }

  @Test
  void theCommandExitsWith2AndOneLineBeforeConnectingForABadTensor() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"inputs\": [{\"name\": \"features\", \"datatype\": \"INT64\", \"shape\": [1, 13],"
            + " \"data\": [1,2,3,4,5,6,7,8,9,10,11,12,13]}]}");
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new SubmitCommand());
    cmd.setErr(new PrintWriter(err));
    int code =
        cmd.execute(
            "--model",
            WINE.toString(),
            "--bootstrap-servers",
            "127.0.0.1:9",
            "--connect-timeout",
            "1",
            bad.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo("task-producer: bad.json: input features must be FP32, is INT64");
  }
}
