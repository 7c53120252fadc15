package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.protocol.JsonSerde;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code network} as a user runs it: its own broker, the shared options, a JSON line per digit. */
class NetworkCommandIT {
  @TempDir Path tmp;

  @Test
  void theNetworkCommandAnswersEverySampleItSubmits() throws Exception {
    // given the one-process network with the shared options a user sets
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = MiniGradient.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    Path report = tmp.resolve("summary.json");

    // when it runs on ten samples
    int code =
        cmd.execute(
            "network",
            "--models-dir",
            "../models",
            "--model",
            "mnist",
            "--samples",
            "../models/mnist/samples",
            "--limit",
            "10",
            "--port",
            "0",
            "--partitions",
            "2",
            "--redundancy",
            "all",
            "--json",
            "--report",
            report.toString());

    // then every digit is decided, one JSON line each, and the summary is written
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString().lines().filter(l -> l.startsWith("{")).count()).isEqualTo(10);
    JsonNode summary = JsonSerde.MAPPER.readTree(Files.readString(report));
    assertThat(summary.path("failed").asInt(-1)).isZero();
  }
}
