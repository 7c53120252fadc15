package dev.minigradient.launcher;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Topics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;

/**
 * One peer in its own process: the {@code inference-worker} command in a child JVM (same Java, same
 * class path, {@link Bench#WORKER_JAVA_OPTIONS}), cold, draining fresh tasks.
 *
 * @param votesPerSecond its drain rate, from the votes topic's end offsets (its votes are the only
 *     ones published while it drains)
 * @param peakRssMiB its peak resident memory ({@code VmHWM} of {@code /proc/<pid>/status}), MiB
 */
record WorkerProcess(double votesPerSecond, double peakRssMiB) {
  /**
   * Publishes {@code n} fresh tasks, runs the child until it has drained them and measures it.
   *
   * @param ctx the run (model, its {@code --model} argument, images)
   * @param settings the broker
   * @param id the child's peer and instance id
   * @param n tasks to drain
   * @return its rate and peak memory
   * @throws IOException if the child cannot be started or its files created
   * @throws IllegalStateException if the child exits or does not finish in 10 minutes
   */
  static WorkerProcess drain(BenchContext ctx, KafkaSettings settings, String id, int n)
      throws IOException {
    // n fresh tasks (the first ones may be older than the worker's task age limit by now), read
    // from the topic's current end
    TaskBacklog.positionGroup(settings, id, OffsetSpec.latest());
    TaskBacklog.publish(ctx, settings, n, false);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Bench.WORKER_JAVA_OPTIONS);
    cmd.addAll(
        List.of(
            "-cp",
            classPathForChild(),
            MiniGradient.class.getName(),
            "inference-worker",
            "--bootstrap-servers",
            settings.bootstrapServers(),
            "--peer-id",
            id,
            "--instance-id",
            id,
            "--model",
            ctx.modelArg(),
            "--key-file",
            Files.createTempDirectory("mini-gradient-bench-key").resolve("peer.key").toString()));
    Path output = Files.createTempFile("mini-gradient-bench-worker", ".log");
    try (Admin admin = Admin.create(settings.properties(Map.of()))) {
      long votesBase = TaskBacklog.endOffsets(admin, Topics.VOTES.name());
      Process child =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      try {
        double rate =
            TaskBacklog.timeDrain(
                "worker process",
                n,
                20,
                () -> TaskBacklog.endOffsets(admin, Topics.VOTES.name()) - votesBase,
                () -> checkAlive(child, output));
        return new WorkerProcess(rate, BenchReport.peakRssMiB(child.pid()));
      } finally {
        stop(child);
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** Throws, with the end of its output, once the child has exited. */
  private static void checkAlive(Process child, Path output) {
    if (child.isAlive()) {
      return;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(output);
    } catch (IOException e) {
      lines = List.of("(unreadable: " + e.getMessage() + ")");
    }
    throw new IllegalStateException(
        "worker process exited with "
            + child.exitValue()
            + "; its output ends: "
            + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
  }

  private static void stop(Process child) {
    child.destroy();
    try {
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.destroyForcibly();
    }
  }

  /**
   * This JVM's class path for a child JVM: the jar itself when run as {@code java -jar}, else (a
   * build's many folders and jars) a temporary manifest-only jar whose {@code Class-Path} lists
   * them. ONNX Runtime 1.29's native library crashes the JVM (SIGSEGV, no error report) when {@code
   * java.class.path} is long, about 10 KB here, as a test run's is.
   */
  private static String classPathForChild() throws IOException {
    String cp = System.getProperty("java.class.path");
    String[] entries = cp.split(File.pathSeparator);
    if (entries.length == 1) {
      return cp;
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    StringBuilder urls = new StringBuilder();
    for (String e : entries) {
      if (!e.isBlank()) {
        urls.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
      }
    }
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, urls.toString().strip());
    Path jar = Files.createTempFile("mini-gradient-bench-classpath", ".jar");
    jar.toFile().deleteOnExit();
    try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      // the manifest is the whole jar
    }
    return jar.toString();
  }
}
