package io.fleetgate.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AsciiTest {

    @Test
    void readsAsciiNumbersAsIntegerParseIntDoes() {
        assertThat(Ascii.parseInt("8080")).isEqualTo(8080);
        assertThat(Ascii.parseInt("-12")).isEqualTo(-12);
        assertThat(Ascii.parseLong("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Ascii.hexDigit('f')).isEqualTo(15);
        assertThat(Ascii.hexDigit('A')).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0668\u0660", "\uff18\uff10", "8\u0660", "", "-", "+8", " 80", "99999999999"})
    void refusesWhatIsNotAsciiDigitsEvenWhereTheJdkAcceptsIt(String text) {
        assertThatThrownBy(() -> Ascii.parseInt(text)).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void theJdkReallyTakesDigitsOfOtherScripts() {
        // why this class exists: the regression it guards against
        assertThat(Integer.parseInt("\u0668\u0660")).isEqualTo(80);
        assertThat(Character.digit('\uff41', 16)).isEqualTo(10);
        assertThat(Ascii.hexDigit('\uff41')).isEqualTo(-1);
        assertThat(Ascii.hexDigit('\u0660')).isEqualTo(-1);
    }

    @Test
    void cidrPrefixLengthsAreAsciiDigits() {
        assertThat(Cidr.parse("10.0.0.0/8").prefix()).isEqualTo(8);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/\u0668")).isInstanceOf(IllegalArgumentException.class);
    }
}
