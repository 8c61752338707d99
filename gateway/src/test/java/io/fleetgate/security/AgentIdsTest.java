package io.fleetgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** The agent id check is its pattern, a character at a time. */
class AgentIdsTest {

    @Property
    void anyTextIsValidExactlyWhenThePatternMatchesIt(@ForAll @StringLength(max = 250) String id) {
        assertThat(AgentIds.isValid(id)).isEqualTo(AgentIds.PATTERN.matcher(id).matches());
    }

    @Property
    void idsMadeOfTheAllowedCharactersAndSomeOthers(
            @ForAll @StringLength(max = 210) @AlphaChars @NumericChars @Chars({'.', '_', ':', '@', '/', '-', ' ', '\'', '\u00e9', '%'}) String id) {
        assertThat(AgentIds.isValid(id)).isEqualTo(AgentIds.PATTERN.matcher(id).matches());
    }
}
