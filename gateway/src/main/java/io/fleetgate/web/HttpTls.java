package io.fleetgate.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.reactive.ConfigurableReactiveWebServerFactory;
import org.springframework.stereotype.Component;

/**
 * HTTPS for the UI and REST API when FLEETGATE_HTTP_TLS_CERT and FLEETGATE_HTTP_TLS_KEY name a PEM
 * certificate (chain) and its private key, as gRPC's TLS does; plain HTTP when neither is set. The
 * management port (FLEETGATE_MANAGEMENT_PORT), when separate, stays plain HTTP for in-cluster probes.
 */
@Component
class HttpTls implements WebServerFactoryCustomizer<ConfigurableReactiveWebServerFactory> {

    private final String certificate;
    private final String privateKey;

    HttpTls(@Value("${fleetgate.http.tls.certificate:}") String certificate, @Value("${fleetgate.http.tls.private-key:}") String privateKey) {
        if (certificate.isBlank() != privateKey.isBlank()) {
            throw new IllegalStateException("FLEETGATE_HTTP_TLS_CERT and FLEETGATE_HTTP_TLS_KEY go together: set both (PEM files) or neither");
        }
        this.certificate = certificate;
        this.privateKey = privateKey;
    }

    @Override
    public void customize(ConfigurableReactiveWebServerFactory factory) {
        if (certificate.isBlank()) {
            return;
        }
        Ssl ssl = new Ssl();
        ssl.setCertificate(location(certificate));
        ssl.setCertificatePrivateKey(location(privateKey));
        factory.setSsl(ssl);
    }

    /** A path as the variables take it (like gRPC's), or a Spring resource location as is. */
    private static String location(String path) {
        return path.startsWith("file:") || path.startsWith("classpath:") ? path : "file:" + path;
    }
}
