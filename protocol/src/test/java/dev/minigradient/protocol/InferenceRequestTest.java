package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InferenceRequestTest {

  private static List<Tensor> read(String json) {
    return InferenceRequest.readInputs(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsEveryDatatypeFlatOrNested() {
    List<Tensor> t =
        read(
            """
            {"inputs": [
              {"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [[1.5, 2], [3, 4.25]]},
              {"name": "ids", "datatype": "INT64", "shape": [3], "data": [1, -2, 9007199254740993]},
              {"name": "n", "datatype": "int32", "shape": [1], "data": [7]},
              {"name": "d", "datatype": "FP64", "shape": [1], "data": [0.1]},
              {"name": "b", "datatype": "BOOL", "shape": [2], "data": [true, false]},
              {"name": "s", "datatype": "BYTES", "shape": [1], "data": ["héllo"]}
            ]}
            """);
    assertThat(t).extracting(Tensor::name).containsExactly("x", "ids", "n", "d", "b", "s");
    assertThat((float[]) t.get(0).data()).containsExactly(1.5f, 2f, 3f, 4.25f);
    assertThat(t.get(0).shape()).containsExactly(2, 2);
    assertThat((long[]) t.get(1).data()).containsExactly(1L, -2L, 9007199254740993L);
    assertThat((int[]) t.get(2).data()).containsExactly(7);
    assertThat((double[]) t.get(3).data()).containsExactly(0.1);
    assertThat((boolean[]) t.get(4).data()).containsExactly(true, false);
    assertThat((String[]) t.get(5).data()).containsExactly("héllo");
  }

  @Test
  void float32ValuesRoundTripBitForBit() {
    float[] values = {0.1f, 1e-30f, 3.4028235e38f, -7.006492e-45f, 13.2f, 1f / 3};
    Tensor t = Tensor.fp32("features", values, 1, values.length);
    Tensor back = InferenceRequest.readInputs(InferenceRequest.write(List.of(t))).get(0);
    assertThat(back).isEqualTo(t);
    float[] read = (float[]) back.data();
    for (int i = 0; i < values.length; i++) {
      assertThat(Float.floatToIntBits(read[i])).isEqualTo(Float.floatToIntBits(values[i]));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[1, 2|not JSON",
        "{\"inputs\": 3}|needs an \"inputs\" array",
        "{\"inputs\": []}|at least one input",
        "{\"inputs\": [{\"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}|needs a \"name\"",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"data\": [1]}]}|needs a \"datatype\"",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP16\", \"shape\": [1], \"data\": [1]}]}|unknown datatype 'FP16'",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1]}]}|needs a \"shape\"",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [0], \"data\": []}]}|positive integers",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [3], \"data\": [1, 2]}]}|has 2 elements, its shape [3] needs 3",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1, 2]}]}|more elements than its shape holds",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [\"a\"]}]}|is not a number",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT64\", \"shape\": [1], \"data\": [1.5]}]}|is not an integer",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"INT32\", \"shape\": [1], \"data\": [3000000000]}]}|out of INT32's range",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [1]}]}|not true or false",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [2], \"data\": [1, 1e39]}]}|1E+39 is out of FP32's range",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP64\", \"shape\": [1], \"data\": [1e400]}]}|out of FP64's range",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [1]}]}|not a string",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}, {\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}|given twice",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [100000, 100000, 100000], \"data\": []}]}|too large",
      })
  void aMalformedRequestIsRefusedWithItsReason(String json, String reason) {
    assertThatThrownBy(() -> read(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void aTensorSpecChecksNameTypeAndFixedDimensions() {
    TensorSpec spec = TensorSpec.of("features", Datatype.FP32, -1, 13);
    spec.check(Tensor.fp32("features", new float[26], 2, 13));
    assertThatThrownBy(() -> spec.check(Tensor.fp32("features", new float[12], 1, 12)))
        .hasMessageContaining("must have shape [-1, 13], has [1, 12]");
    assertThatThrownBy(() -> spec.check(Tensor.fp32("other", new float[13], 1, 13)))
        .hasMessageContaining("is not input features");
    assertThatThrownBy(
            () ->
                spec.check(
                    new Tensor("features", Datatype.INT64, new long[] {1, 13}, new long[13])))
        .hasMessageContaining("must be FP32, is INT64");
    assertThatThrownBy(() -> TensorSpec.of("x", Datatype.FP32, 0))
        .hasMessageContaining("must be positive or -1");
  }
}
