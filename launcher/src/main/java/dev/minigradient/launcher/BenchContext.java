package dev.minigradient.launcher;

import dev.minigradient.launcher.BenchReport.Figure;
import dev.minigradient.model.ServedModel;
import dev.minigradient.producer.Input;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What every section of one {@code bench} run shares: the options, the model, the sample images,
 * the progress log, and the report's figures and notes, which the sections append to in order.
 *
 * @param options what to run
 * @param model the served model, shared by every section (not closed here)
 * @param modelArg the model as the {@code inference-worker} command's {@code --model} takes it, or
 *     null
 * @param inputs the readable sample images, as tasks take them, at least one
 * @param images the sample images' bytes, in the inputs' order
 * @param log progress lines
 * @param figures the report's figures so far, in order
 * @param notes the report's notes so far, in order
 */
record BenchContext(
    Bench.Options options,
    ServedModel model,
    String modelArg,
    List<Input> inputs,
    List<byte[]> images,
    PrintWriter log,
    List<Figure> figures,
    List<String> notes) {

  /**
   * A run's context, with no figure or note yet.
   *
   * @param options what to run
   * @param model the served model (not closed here)
   * @param modelArg the model as the {@code inference-worker} command's {@code --model} takes it,
   *     or null
   * @param inputs readable sample images, at least one
   * @param log progress lines
   */
  BenchContext(
      Bench.Options options,
      ServedModel model,
      String modelArg,
      List<Input> inputs,
      PrintWriter log) {
    this(
        options,
        model,
        modelArg,
        inputs,
        inputs.stream().map(Input::bytes).toList(),
        log,
        new ArrayList<>(),
        new ArrayList<>());
  }

  /** The {@code i}-th image, cycling through the samples. */
  byte[] image(int i) {
    return images.get(i % images.size());
  }

  /** {@code n} task inputs, cycling through the samples. */
  List<Input> tasks(int n) {
    List<Input> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(inputs.get(i % inputs.size()));
    }
    return out;
  }

  /** The sample images' mean size, bytes: a task's input. */
  double averageInputBytes() {
    return images.stream().mapToInt(b -> b.length).average().orElse(0);
  }

  /** Prints one progress line. */
  void progress(String format, Object... args) {
    log.printf(format + "%n", args);
    log.flush();
  }

  /** Appends a figure to the report. */
  void figure(Figure f) {
    figures.add(f);
  }

  /** Appends a note to the report. */
  void note(String note) {
    notes.add(note);
  }

  /** Appends a section's figures and notes to the report. */
  void addAll(List<Figure> sectionFigures, List<String> sectionNotes) {
    figures.addAll(sectionFigures);
    notes.addAll(sectionNotes);
  }
}
