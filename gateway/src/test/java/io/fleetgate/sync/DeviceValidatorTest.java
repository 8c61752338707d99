package io.fleetgate.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.fleetgate.proto.DiscoveredDevice;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class DeviceValidatorTest {

    private final DeviceValidator validator = new DeviceValidator(new IngestProperties(64, 8, java.time.Duration.ofMinutes(5), DataSize.ofKilobytes(1), 16, 16, 8, java.time.Duration.ofMinutes(1), 50));

    private DiscoveredDevice.Builder device() {
        return DiscoveredDevice.newBuilder().setDeviceId("dev-1").setSourceType("netbox").addIpAddresses("127.0.0.1");
    }

    private RejectionReason reason(DiscoveredDevice.Builder device) {
        DeviceValidator.Outcome outcome = validator.validate(device.build(), "netbox");
        assertThat(outcome).isInstanceOf(DeviceValidator.Rejected.class);
        return ((DeviceValidator.Rejected) outcome).reason();
    }

    @Test
    void aGoodDeviceIsNormalised() {
        var outcome = validator.validate(device().setSourceType("").addIpAddresses("::FFFF:127.0.0.1").addIpAddresses("2001:DB8::0:1")
                .addMacAddresses("00-1A-2B-3C-4D-5E").addMacAddresses("02:00:00:00:00:01").addPorts(443).addPorts(22).addPorts(443)
                .setRawData(ByteString.copyFromUtf8("{\"services\":[{\"port\":8443}]}")).setHostname(" host ").build(), "netbox");
        ValidDevice valid = ((DeviceValidator.Accepted) outcome).device();
        assertThat(valid.sourceType()).isEqualTo("netbox");
        assertThat(valid.ips()).containsExactly("127.0.0.1", "2001:db8::1");
        assertThat(valid.macs()).containsExactly("00:1a:2b:3c:4d:5e", "02:00:00:00:00:01");
        assertThat(valid.usableMacs()).containsExactly("00:1a:2b:3c:4d:5e");
        assertThat(valid.ports()).containsExactly(22, 443);
        assertThat(valid.rawPorts()).containsExactly(8443);
        assertThat(valid.hostname()).isEqualTo("host");
        assertThat(valid.agentUid()).isNull();
    }

    @Test
    void eachRuleHasItsReason() {
        assertThat(reason(device().setDeviceId(" "))).isEqualTo(RejectionReason.MISSING_DEVICE_ID);
        assertThat(reason(device().setDeviceId("x".repeat(17)))).isEqualTo(RejectionReason.DEVICE_ID_TOO_LONG);
        assertThat(reason(device().setSourceType("armis"))).isEqualTo(RejectionReason.SOURCE_TYPE_MISMATCH);
        assertThat(reason(device().clearIpAddresses())).isEqualTo(RejectionReason.NO_IP_ADDRESS);
        assertThat(reason(device().addIpAddresses("127.0.0.256"))).isEqualTo(RejectionReason.INVALID_IP_ADDRESS);
        assertThat(reason(device().addIpAddresses("localhost"))).isEqualTo(RejectionReason.INVALID_IP_ADDRESS);
        assertThat(reason(device().addMacAddresses("00:1a:2b"))).isEqualTo(RejectionReason.INVALID_MAC_ADDRESS);
        // Arabic-Indic zeros and full-width hex digits look like a MAC to Character.digit; they are not one
        assertThat(reason(device().addMacAddresses("\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0660:\u0660\u0660")))
                .isEqualTo(RejectionReason.INVALID_MAC_ADDRESS);
        assertThat(reason(device().addMacAddresses("\uff10\uff10:1a:2b:3c:4d:\uff45\uff45"))).isEqualTo(RejectionReason.INVALID_MAC_ADDRESS);
        assertThat(reason(device().addIpAddresses("\u0661\u0662\u0667.0.0.1"))).isEqualTo(RejectionReason.INVALID_IP_ADDRESS);
        assertThat(reason(device().setAgentUid("agent-\u0661"))).isEqualTo(RejectionReason.INVALID_AGENT_UID);
        assertThat(reason(device().addPorts(0))).isEqualTo(RejectionReason.INVALID_PORT);
        assertThat(reason(device().addPorts(65536))).isEqualTo(RejectionReason.INVALID_PORT);
        assertThat(reason(device().setRawData(ByteString.copyFromUtf8("[1]")))).isEqualTo(RejectionReason.INVALID_RAW_DATA);
        assertThat(reason(device().setRawData(ByteString.copyFrom(new byte[] {(byte) 0xff, '{', '}'})))).isEqualTo(RejectionReason.INVALID_RAW_DATA);
        assertThat(reason(device().setRawData(ByteString.copyFromUtf8("{\"a\":\"" + "x".repeat(2000) + "\"}"))))
                .isEqualTo(RejectionReason.RAW_DATA_TOO_LARGE);
        assertThat(reason(device().setAgentUid("agent with spaces"))).isEqualTo(RejectionReason.INVALID_AGENT_UID);
        assertThat(reason(device().setHostname("h".repeat(256)))).isEqualTo(RejectionReason.FIELD_TOO_LONG);
        assertThat(reason(device().setHostname("nul\0host"))).isEqualTo(RejectionReason.NUL_CHARACTER);
        assertThat(reason(device().setRawData(ByteString.copyFromUtf8("{\"a\":\"\\u0000\"}")))).isEqualTo(RejectionReason.NUL_CHARACTER);
        DiscoveredDevice.Builder many = device();
        for (int i = 0; i < 9; i++) {
            many.addPorts(1000 + i);
        }
        assertThat(reason(many)).isEqualTo(RejectionReason.TOO_MANY_VALUES);
    }
}
