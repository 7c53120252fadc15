package dev.minigradient.api;

import dev.minigradient.protocol.ModelIds;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.ClusterCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.Shutdown;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code metrics-api}: serves the HTTP API until interrupted. */
@Command(
    name = "metrics-api",
    description =
        "Serves /metrics, /health and /api over the network's state (Kafka Streams global tables). A --model that is not found is skipped.")
public final class ApiCommand extends ClusterCommand {
  @Mixin ApiPortOption port;

  @Option(
      names = "--host",
      defaultValue = "${env:MG_API_HOST:-127.0.0.1}",
      description =
          "Address to listen on; 0.0.0.0 for every interface (env MG_API_HOST; default: ${DEFAULT-VALUE}, this machine only).")
  String host;

  @Option(
      names = "--default-model-id",
      description =
          "Model id (SHA-256 of its ONNX file) for POST /api/tasks when a request names none (default: the one model active peers serve).")
  String defaultModelId;

  @Mixin ModelsOptions models;

  @Option(
      names = "--state-dir",
      defaultValue = "${env:MG_STATE_DIR:-state}/api",
      description =
          "State store directory (env MG_STATE_DIR names its parent; default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    // Global stores need no consumer group: instances share the id, each keeps its own state dir.
    String appId = "mini-gradient-api";
    Map<String, MetricsApi.KnownModel> known = new LinkedHashMap<>();
    for (String m : models.names()) { // one that is not found is skipped
      try {
        ModelSpec spec = models.resolve(m);
        known.put(ModelIds.of(spec.onnx()), MetricsApi.KnownModel.of(spec));
      } catch (RuntimeException e) {
        System.err.println("metrics-api: model " + m + " skipped: " + e.getMessage());
      }
    }
    if (host == null || host.isBlank()) {
      host = "127.0.0.1"; // MG_API_HOST set but empty: this machine only, never every interface
    }
    ApiService api =
        new ApiService(
            kafka.settings(),
            appId,
            stateDir.resolve("port-" + port.port()),
            host,
            port.port(),
            defaultModelId,
            known);
    try {
      api.start();
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    System.err.println("metrics-api listening on http://" + host + ":" + api.port() + "/");
    Shutdown.closeOnShutdown(api);
    return 0;
  }
}
