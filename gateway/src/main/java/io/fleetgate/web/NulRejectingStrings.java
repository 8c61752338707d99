package io.fleetgate.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JacksonModule;
import tools.jackson.databind.deser.jdk.StringDeserializer;
import tools.jackson.databind.module.SimpleModule;

/**
 * REST bodies may not carry NUL characters in strings: PostgreSQL's text refuses them, so one
 * would fail at the database as a 500. Refused while reading the body instead, as a 400 that
 * names the field. (Strings inside free-form {@code settings} reach jsonb, whose refusal is
 * answered 400 as well; see {@link ApiExceptionHandler}.)
 */
@Configuration(proxyBeanMethods = false)
class NulRejectingStrings {

    static final String NUL = "contains a NUL character";

    @Bean
    JacksonModule nulRejectingStringModule() {
        return new SimpleModule("fleetgate-nul-rejecting-strings").addDeserializer(String.class, new StringDeserializer() {
            @Override
            public String deserialize(JsonParser parser, DeserializationContext context) {
                String value = super.deserialize(parser, context);
                if (value != null && value.indexOf('\u0000') >= 0) {
                    throw context.weirdStringException(value, String.class, NUL);
                }
                return value;
            }
        });
    }
}
