package io.fleetgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The sign-in page rendered by its controller and template alone (no database, no gateway): the
 * banners show only after a failed sign-in or a sign-out, never on a plain visit.
 */
@WebFluxTest(controllers = LoginPage.class) // a slice without the security filters, which need the user store
class LoginPageSliceTest {

    @Autowired
    WebTestClient web;

    @Test
    void aPlainVisitShowsTheFormAndNoBanner() {
        assertThat(page("/login")).contains("id=\"sign-in\"").doesNotContain("Wrong user name or password").doesNotContain("Signed out");
    }

    @Test
    void afterAWrongPasswordOrASignOutTheBannerSaysSo() {
        assertThat(page("/login?error")).contains("Wrong user name or password").doesNotContain("Signed out");
        assertThat(page("/login?logout")).contains("Signed out").doesNotContain("Wrong user name or password");
    }

    @Test
    void theRootLeadsToTheIntegrations() {
        web.get().uri("/").exchange().expectStatus().is3xxRedirection().expectHeader().location("/integrations");
    }

    private String page(String path) {
        return web.get().uri(path).exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
    }
}
