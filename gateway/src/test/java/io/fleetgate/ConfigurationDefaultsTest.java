package io.fleetgate;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.Yaml;

/**
 * A setting's default is written once: in application.yaml beside its environment variable (where
 * operators, the docs and {@code --help} read it), or, for settings without one, in the
 * properties record. Never both, where the two could drift apart.
 */
class ConfigurationDefaultsTest {

    @Test
    void noPropertiesRecordRepeatsADefaultThatApplicationYamlGives() throws Exception {
        Map<String, Object> yaml = new Yaml().load(new ClassPathResource("application.yaml").getInputStream());
        List<String> repeated = new ArrayList<>();
        int checked = 0;
        for (JavaClass type : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.fleetgate")) {
            if (type.isAnnotatedWith(ConfigurationProperties.class)) {
                Class<?> record = type.reflect();
                checked += repeatedDefaults(record, record.getAnnotation(ConfigurationProperties.class).value(), yaml, repeated);
            }
        }
        assertThat(checked).as("properties records found").isGreaterThan(10);
        assertThat(repeated).isEmpty();
    }

    private static int repeatedDefaults(Class<?> record, String prefix, Map<String, Object> yaml, List<String> repeated) {
        int components = 0;
        for (RecordComponent component : record.getRecordComponents()) {
            components++;
            String key = prefix + "." + component.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
            DefaultValue annotated = record.getDeclaredConstructors()[0].getParameters()[components - 1].getAnnotation(DefaultValue.class);
            if (component.getType().isRecord()) {
                components += repeatedDefaults(component.getType(), key, yaml, repeated);
            } else if (annotated != null && annotated.value().length > 0 && value(yaml, key) instanceof String written
                    && written.matches("\\$\\{[A-Z0-9_]+:.+}")) {
                repeated.add(key + ": @DefaultValue(\"" + String.join(",", annotated.value()) + "\") and " + written);
            }
        }
        return components;
    }

    private static Object value(Map<String, Object> yaml, String key) {
        Object node = yaml;
        for (String part : key.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(part);
        }
        return node;
    }
}
