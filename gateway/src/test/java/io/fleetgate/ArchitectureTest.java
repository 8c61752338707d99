package io.fleetgate;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/** The plan of docs/architecture.md, kept by the build: every rule here is drawn there. */
class ArchitectureTest {

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.fleetgate");

    /** The layers, top down, as docs/architecture.md lists them. */
    private static final Map<String, List<String>> LAYERS = layers(
            "Application", List.of(""),
            "Web", List.of("web"),
            "Platform", List.of("platform"),
            "gRPC", List.of("grpc"),
            "Features", List.of("agent", "availability", "device", "integration", "kv", "security", "sweep", "sync", "syncservice", "tenant"),
            "Foundations", List.of("changes", "concurrency", "database", "error", "identity", "source"),
            "Clients", List.of("client.."),
            "Shared", List.of("net", "sweepjson", "proto"));
    private static final String[] SERVER_FRAMEWORKS = {"org.springframework..", "io.r2dbc..", "org.flywaydb..",
            "io.zonky..", "io.grpc.protobuf.services..", "io.grpc.services.."};
    /** gRPC's server side (the transport itself serves both ends: channels are allowed). */
    private static final DescribedPredicate<JavaClass> GRPC_SERVER = resideInAnyPackage("io.grpc..")
            .and(simpleNameStartingWith("Server").or(simpleNameStartingWith("NettyServer")))
            .as("gRPC server classes");

    private static Map<String, List<String>> layers(Object... namesAndPackages) {
        Map<String, List<String>> layers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndPackages.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> packages = (List<String>) namesAndPackages[i + 1];
            layers.put((String) namesAndPackages[i], packages);
        }
        return layers;
    }

    @Test
    void noTwoPackagesDependOnEachOtherEvenThroughOthers() {
        slices().matching("io.fleetgate.(*)..").should().beFreeOfCycles().check(GATEWAY);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        Architectures.LayeredArchitecture layered = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (var layer : LAYERS.entrySet()) {
            layered = layered.layer(layer.getKey()).definedBy(layer.getValue().stream()
                    .map(name -> name.isEmpty() ? "io.fleetgate" : "io.fleetgate." + (name.endsWith("..") ? name : name + ".."))
                    .toArray(String[]::new));
        }
        layered.whereLayer("Web").mayOnlyBeAccessedByLayers("Application")
                .whereLayer("Platform").mayOnlyBeAccessedByLayers("Web", "Application")
                .whereLayer("gRPC").mayOnlyBeAccessedByLayers("Platform", "Web", "Application")
                .whereLayer("Features").mayOnlyBeAccessedByLayers("gRPC", "Platform", "Web", "Application")
                .whereLayer("Foundations").mayOnlyAccessLayers("Shared")
                .whereLayer("Clients").mayOnlyAccessLayers("Shared")
                .whereLayer("Shared").mayNotAccessAnyLayer()
                .check(GATEWAY);
    }

    @Test
    void theLayersAreTheOnesTheArchitectureDocumentShows() throws Exception {
        String doc = Files.readString(Path.of("docs/architecture.md"));
        String table = doc.substring(doc.indexOf("## Layers"), doc.indexOf("\n## ", doc.indexOf("## Layers") + 1));
        Map<String, List<String>> documented = new LinkedHashMap<>();
        for (String row : table.lines().filter(line -> line.startsWith("| ") && !line.startsWith("| layer")).toList()) {
            String[] cells = row.split("\\|");
            List<String> packages = new ArrayList<>();
            Matcher names = Pattern.compile("`([a-z.]+)`").matcher(cells[2]);
            while (names.find()) {
                packages.add(names.group(1).equals("io.fleetgate") ? "" : names.group(1));
            }
            documented.put(cells[1].strip(), packages);
        }
        assertThat(documented).isEqualTo(LAYERS);
    }

    @Test
    void pureRulesTouchNoFrameworkNoDatabaseAndNoReactiveIo() {
        noClasses().that().resideInAnyPackage("io.fleetgate.identity..", "io.fleetgate.net..", "io.fleetgate.sweepjson..")
                .or().haveFullyQualifiedName("io.fleetgate.sweep.SweepConfigBuilder")
                .or().haveFullyQualifiedName("io.fleetgate.sweep.Cidrs")
                .or().haveFullyQualifiedName("io.fleetgate.sweep.ConfigHash")
                .or().haveFullyQualifiedName("io.fleetgate.agent.AgentStatus")
                .or().haveFullyQualifiedName("io.fleetgate.agent.AgentCursor")
                .or().haveFullyQualifiedName("io.fleetgate.device.DeviceQuery")
                .or().haveFullyQualifiedName("io.fleetgate.device.DeviceCursor")
                .or().haveFullyQualifiedName("io.fleetgate.device.UnmergePlan")
                .or().haveFullyQualifiedName("io.fleetgate.device.DeviceSweeps")
                .or().haveFullyQualifiedName("io.fleetgate.availability.FlapDamping")
                .or().haveFullyQualifiedName("io.fleetgate.availability.DeviceAvailability")
                .or().haveFullyQualifiedName("io.fleetgate.availability.HostResults")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER_FRAMEWORKS)
                .orShould().dependOnClassesThat().resideInAnyPackage("reactor..", "io.grpc..", "java.sql..")
                .check(GATEWAY);
    }

    @Test
    void everyPackageHasItsPackageInfoAndMarksNullness() {
        List<String> packages = GATEWAY.stream().map(JavaClass::getPackageName).distinct()
                .filter(name -> !name.startsWith("io.fleetgate.proto") && !name.startsWith("io.fleetgate.load")).toList();
        assertThat(packages).as("the gateway's, the clients' and common's packages").hasSizeGreaterThan(20);
        List<String> unmarked = packages.stream()
                .filter(name -> {
                    try {
                        return !Class.forName(name + ".package-info").isAnnotationPresent(NullMarked.class);
                    } catch (ClassNotFoundException e) {
                        return true;
                    }
                })
                .sorted().toList();
        assertThat(unmarked).isEmpty();
    }

    @Test
    void theClientsRunWithoutTheServersFrameworks() {
        noClasses().that().resideInAPackage("io.fleetgate.client..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER_FRAMEWORKS)
                .orShould().dependOnClassesThat(GRPC_SERVER)
                .check(GATEWAY);
    }
}
