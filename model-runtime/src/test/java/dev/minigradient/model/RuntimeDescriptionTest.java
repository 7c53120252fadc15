package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

class RuntimeDescriptionTest {
  private static final String X86 =
      """
      processor\t: 0
      model name\t: Some CPU
      flags\t\t: fpu sse sse2 sse4_1 sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni
      bugs\t\t: spectre_v1

      processor\t: 1
      flags\t\t: fpu sse
      """;

  private static final String ARM =
      """
      processor\t: 0
      Features\t: fp asimd evtstrm aes sha2 crc32 atomics asimddp sve
      CPU implementer\t: 0x41
      """;

  @Test
  void namesTheVectorFeaturesOfTheFirstProcessorInAFixedOrder() {
    assertThat(RuntimeDescription.cpuFeatures(X86))
        .containsExactly("avx512f", "avx512_vnni", "avx2", "fma", "avx", "sse4_1");
    assertThat(RuntimeDescription.cpuFeatures(ARM)).containsExactly("asimd", "asimddp", "sve");
    assertThat(RuntimeDescription.cpuFeatures("")).isEmpty();
  }

  @Test
  void describesVersionProviderArchitectureAndFeatures() {
    assertThat(RuntimeDescription.describe("1.29.0", "amd64", X86))
        .isEqualTo("onnxruntime 1.29.0; CPU; amd64 avx512f avx512_vnni avx2 fma avx sse4_1");
    assertThat(RuntimeDescription.describe("1.29.0", "aarch64", ""))
        .isEqualTo("onnxruntime 1.29.0; CPU; aarch64");
  }

  @Test
  void thisJvmsDescriptionNamesTheLoadedOnnxRuntimeAndArchitecture() {
    String d = RuntimeDescription.current();

    assertThat(d)
        .startsWith(
            "onnxruntime "
                + OrtEnvironment.getEnvironment().getVersion()
                + "; CPU; "
                + System.getProperty("os.arch"));
    assertThat(RuntimeDescription.current()).isSameAs(d);
  }
}
