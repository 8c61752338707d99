package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The limits as PostgreSQL 15 showed them (each case was tried with {@code SELECT '{"x":…}'::jsonb}). */
class JsonbNumbersTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1.5", "1e1000", "1E+5", "1e131071", "9.99e131071", "0.5e131072", "0.05e131073",
            "-1e131071", "1e-16383", "1.0e-16382", "1234.5678e-16379", "0e-16383", "0e999999", "0e1073741822",
            "12345e-16382", "0.0e0"})
    void fitsNumeric(String number) {
        assertThat(JsonbNumbers.problem(number)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e131072", "1e1000000", "1e-16384", "1.5e-16383", "10e-16384", "1.00e-16382", "1234.5678e-16380",
            "0e-16384", "0e1073741823", "0e2147483647", "1e2147483648", "1e-2147483648", "0e-2147483649", "1e99999999999999999999"})
    void overflowsNumeric(String number) {
        assertThat(JsonbNumbers.problem(number)).isNotNull();
    }
}
