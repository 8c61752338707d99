package io.fleetgate.web;

import io.fleetgate.test.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** The UI's doors: sign-in redirects, CSRF on every form, static files open. */
class UiSecurityTest extends GatewayTest {

    @Test
    void pagesNeedASignedInUser() {
        anonymous().get().uri("/integrations").exchange().expectStatus().is3xxRedirection()
                .expectHeader().location("/login");
        anonymous().get().uri("/login").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body).contains("name=\"_csrf\""));
        anonymous().get().uri("/css/fleetgate.css").exchange().expectStatus().isOk();
    }

    @Test
    void aFormPostWithoutItsCsrfTokenIsRefused() {
        anonymous().post().uri("/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("username=admin&password=" + ADMIN_PASSWORD)
                .exchange().expectStatus().isForbidden();
        anonymous().post().uri("/integrations").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("name=x").exchange().expectStatus().isForbidden();
    }
}
