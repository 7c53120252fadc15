package dev.minigradient.api;

import dev.minigradient.protocol.ModelSpec;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The models the API knows by name and those active peers serve: resolves the {@code model} a
 * submission names to a model id, and lists the models for {@code GET /api/models}.
 */
final class ModelCatalog {
  private static final Pattern MODEL_ID = Pattern.compile("[0-9a-f]{64}");

  private final Map<String, MetricsApi.KnownModel> known;
  private final String defaultModelId;
  private final Supplier<Map<String, List<String>>> served;

  /**
   * Creates the catalog.
   *
   * @param known names and labels of the models the API knows, by model id
   * @param defaultModelId the model a submission that names none gets, or null
   * @param served model id to the active peers serving it, read on each call (may throw while the
   *     stores restore)
   */
  ModelCatalog(
      Map<String, MetricsApi.KnownModel> known,
      String defaultModelId,
      Supplier<Map<String, List<String>>> served) {
    this.known = Map.copyOf(known);
    this.defaultModelId = defaultModelId;
    this.served = served;
  }

  /**
   * The model a submission names: a model id as it is, or the name of a model the API knows (e.g.
   * {@code mnist}) as its id; when it names none, the default model, else the one model active
   * peers serve.
   *
   * @param requested the {@code model} query parameter, or null
   * @return the model id
   * @throws BadRequestResponse for an unknown name (the message lists the known ones), or when none
   *     is named and there is no single model to default to
   */
  String resolve(String requested) {
    if (requested != null && !requested.isBlank()) {
      String wanted = requested.strip();
      if (MODEL_ID.matcher(wanted).matches()) {
        return wanted;
      }
      Entry named = find(wanted);
      if (named == null) {
        throw new BadRequestResponse(
            "unknown model '"
                + wanted
                + "': name one of "
                + names()
                + " or give a model id, the SHA-256 of its ONNX file (GET /api/models lists both)");
      }
      return named.modelId();
    }
    if (defaultModelId != null) {
      return defaultModelId;
    }
    Set<String> ids = served.get().keySet();
    if (ids.size() == 1) {
      return ids.iterator().next();
    }
    throw new BadRequestResponse("name the model: ?model=<model id>; active peers serve " + ids);
  }

  /**
   * A model the API knows, with its id.
   *
   * @param modelId the model id (SHA-256 of its ONNX file)
   * @param model its name, labels and description
   */
  record Entry(String modelId, MetricsApi.KnownModel model) {}

  /**
   * A model the API knows, named by its registry name or its model id.
   *
   * @param nameOrId e.g. {@code wine}, or a model id
   * @return the model, or null when the API does not know it (a model id only active peers know
   *     included)
   */
  Entry find(String nameOrId) {
    String wanted = nameOrId == null ? "" : nameOrId.strip();
    MetricsApi.KnownModel byId = known.get(wanted);
    if (byId != null) {
      return new Entry(wanted, byId);
    }
    return known.entrySet().stream()
        .filter(e -> e.getValue().name().equals(wanted))
        .min(Map.Entry.comparingByKey())
        .map(e -> new Entry(e.getKey(), e.getValue()))
        .orElse(null);
  }

  /**
   * The names of the models the API knows.
   *
   * @return sorted
   */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    known.values().forEach(m -> names.add(m.name()));
    return names;
  }

  /**
   * The models the API knows and those active peers serve: id, name and labels when known, the
   * description of a described model ({@code recipe}, {@code inputs}, {@code outputs}, {@code
   * agreement}, {@code elements}, as in its {@code model.json}), the active peers serving each, and
   * whether it is the default.
   *
   * @return one document per model, sorted by name (unknown last) then id
   */
  List<Map<String, Object>> documents() {
    Map<String, List<String>> peers = served.get();
    Set<String> ids = new TreeSet<>(peers.keySet());
    ids.addAll(known.keySet());
    List<Map<String, Object>> out = new ArrayList<>();
    for (String id : ids) {
      MetricsApi.KnownModel model = known.get(id);
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("modelId", id);
      doc.put("name", model == null ? null : model.name());
      doc.put("labels", model == null ? null : model.labels());
      ModelSpec spec = model == null ? null : model.spec();
      if (spec != null) {
        doc.put("recipe", spec.recipe());
        doc.put("inputs", spec.inputs());
        doc.put("outputs", spec.outputs());
        doc.put("agreement", spec.agreement());
        doc.put("elements", spec.elements());
      }
      doc.put("peers", peers.getOrDefault(id, List.of()));
      doc.put("default", id.equals(defaultModelId));
      out.add(doc);
    }
    out.sort(
        Comparator.comparing(
                (Map<String, Object> d) ->
                    d.get("name") == null ? "\uffff" : (String) d.get("name"))
            .thenComparing(d -> (String) d.get("modelId")));
    return out;
  }

  /** {@code GET /api/models}: {@link #documents}. */
  void list(Context ctx) {
    ctx.json(documents());
  }

  /**
   * Models served by active peers.
   *
   * @param views the views
   * @return model id to the ids of the active peers serving it, sorted
   */
  static Map<String, List<String>> served(NetworkViews views) {
    Map<String, Set<String>> m = new TreeMap<>();
    views
        .registry()
        .forEach(
            (id, r) -> {
              if (r.active()) {
                r.peer()
                    .models()
                    .forEach(model -> m.computeIfAbsent(model, k -> new TreeSet<>()).add(id));
              }
            });
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return out;
  }
}
