package dev.minigradient.model;

import ai.onnxruntime.OrtEnvironment;
import dev.minigradient.protocol.Vote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What produces a peer's votes, for {@link Vote#runtime()}: the ONNX Runtime version, the execution
 * provider, the CPU architecture and the SIMD features its kernels may pick, e.g. {@code
 * onnxruntime 1.29.0; CPU; amd64 avx2 fma avx}. Two honest peers whose probabilities differ in the
 * last digits usually differ here, so a referee comparing a near-tie can tell hardware drift from a
 * lie. Descriptive only: it is not signed and proves nothing.
 */
public final class RuntimeDescription {
  /**
   * The CPU features reported, in this order when present: the x86 vector extensions ONNX Runtime's
   * kernels dispatch on, then the ARM ones ({@code /proc/cpuinfo}'s {@code flags} or {@code
   * Features} line).
   */
  static final List<String> FEATURES =
      List.of(
          "avx512f",
          "avx512_vnni",
          "avx512_bf16",
          "avx2",
          "fma",
          "avx",
          "sse4_1",
          "asimd",
          "asimddp",
          "sve",
          "i8mm",
          "bf16");

  /** The execution provider: {@link OnnxInferenceEngine} adds none, so ONNX Runtime's default. */
  static final String PROVIDER = "CPU";

  private static volatile String current;

  private RuntimeDescription() {}

  /**
   * This JVM's description, computed on first use and then kept (the native library and the CPU do
   * not change while a peer runs).
   *
   * @return e.g. {@code onnxruntime 1.29.0; CPU; amd64 avx2 fma avx}
   */
  public static String current() {
    String d = current;
    if (d == null) {
      d = describe(onnxRuntimeVersion(), System.getProperty("os.arch"), cpuinfo());
      current = d;
    }
    return d;
  }

  /**
   * A description from its parts.
   *
   * @param ortVersion ONNX Runtime's version, e.g. {@code 1.29.0}
   * @param arch the JVM's {@code os.arch}
   * @param cpuinfo the text of {@code /proc/cpuinfo}, or empty where there is none
   * @return {@code onnxruntime <version>; CPU; <arch>[ <features>]}
   */
  static String describe(String ortVersion, String arch, String cpuinfo) {
    List<String> features = cpuFeatures(cpuinfo);
    return "onnxruntime "
        + ortVersion
        + "; "
        + PROVIDER
        + "; "
        + arch
        + (features.isEmpty() ? "" : " " + String.join(" ", features));
  }

  /**
   * The {@link #FEATURES} the first processor of {@code /proc/cpuinfo} lists.
   *
   * @param cpuinfo its text (x86 {@code flags : ...} or ARM {@code Features : ...}), or empty
   * @return the features present, in {@link #FEATURES} order; empty if none or no such line
   */
  static List<String> cpuFeatures(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      if (key.equals("flags") || key.equals("Features")) {
        Set<String> present =
            new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
        List<String> out = new ArrayList<>();
        FEATURES.stream().filter(present::contains).forEach(out::add);
        return out;
      }
    }
    return List.of();
  }

  /** The native library's version, else the Java package's, else {@code unknown}. */
  private static String onnxRuntimeVersion() {
    try {
      return OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      String v = OrtEnvironment.class.getPackage().getImplementationVersion();
      return v == null ? "unknown" : v;
    }
  }

  private static String cpuinfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return ""; // not Linux: the architecture alone
    }
  }
}
