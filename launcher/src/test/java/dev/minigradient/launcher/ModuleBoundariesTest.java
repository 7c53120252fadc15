package dev.minigradient.launcher;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The modules' dependency rules, checked on the compiled main classes of every module (the
 * launcher's tests see them all). Each module owns one package tree: {@code protocol} ({@code
 * dev.minigradient.protocol}), {@code model-runtime} ({@code .model}), {@code inference-worker}
 * ({@code .worker}), {@code consensus-streams} ({@code .consensus}), {@code metrics-api} ({@code
 * .api}), {@code task-producer} ({@code .producer}) and {@code launcher} ({@code .launcher}).
 */
@AnalyzeClasses(
    packages = "dev.minigradient",
    importOptions = {ImportOption.DoNotIncludeTests.class, ModuleBoundariesTest.NoTestJars.class})
class ModuleBoundariesTest {

  /** Leaves out test jars (protocol's), which a full build puts on the classpath as jars. */
  static final class NoTestJars implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !location.contains("-tests.jar");
    }
  }

  private static final String OURS = "dev.minigradient..";
  private static final String PROTOCOL = packagesOf("protocol");
  private static final String MODEL = packagesOf("model");
  private static final String WORKER = packagesOf("worker");
  private static final String CONSENSUS = packagesOf("consensus");
  private static final String API = packagesOf("api");
  private static final String LAUNCHER = packagesOf("launcher");

  /** The package pattern of one module's classes: {@code dev.minigradient.<name>..}. */
  private static String packagesOf(String name) {
    return "dev.minigradient." + name + "..";
  }

  @ArchTest
  static final ArchRule protocolDependsOnNothingOfOurs =
      classes()
          .that()
          .resideInAPackage(PROTOCOL)
          .should()
          .onlyDependOnClassesThat(not(resideInAPackage(OURS)).or(resideInAPackage(PROTOCOL)))
          .because("protocol is the wire contract every component shares");

  @ArchTest
  static final ArchRule modelRuntimeDependsOnlyOnProtocol =
      classes()
          .that()
          .resideInAPackage(MODEL)
          .should()
          .onlyDependOnClassesThat(
              not(resideInAPackage(OURS)).or(resideInAnyPackage(PROTOCOL, MODEL)))
          .because("peers and the referee run the same model code, below both");

  @ArchTest
  static final ArchRule modelRuntimeNeverReachesKafka =
      noClasses()
          .that()
          .resideInAPackage(MODEL)
          .should()
          .transitivelyDependOnClassesThat()
          .resideInAPackage("org.apache.kafka..")
          .because("model execution runs without Kafka, also through the protocol classes it uses");

  @ArchTest
  static final ArchRule workerNeverDependsOnConsensus =
      noClasses()
          .that()
          .resideInAPackage(WORKER)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(CONSENSUS)
          .because("a peer and the consensus app meet only on the topics");

  @ArchTest
  static final ArchRule consensusNeverDependsOnWorker =
      noClasses()
          .that()
          .resideInAPackage(CONSENSUS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(WORKER)
          .because("the referee re-executes with model-runtime, not with the peer");

  @ArchTest
  static final ArchRule metricsApiNeverImportsTheWorker =
      noClasses()
          .that()
          .resideInAPackage(API)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(WORKER)
          .because("the API reads the network's topics, not a peer's code");

  @ArchTest
  static final ArchRule nothingDependsOnTheLauncher =
      noClasses()
          .that()
          .resideOutsideOfPackage(LAUNCHER)
          .should()
          .dependOnClassesThat()
          .resideInAPackage(LAUNCHER)
          .because("the launcher assembles the components and sits above them all");

  @ArchTest
  static final ArchRule modulesAreFreeOfCycles =
      slices().matching("dev.minigradient.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule packagesAreFreeOfCycles =
      slices().matching("dev.minigradient.(**)").should().beFreeOfCycles();
}
