package io.fleetgate.identity;

import io.fleetgate.net.Ascii;

/**
 * MAC addresses: parsing of the common notations ({@code aa:bb:cc:dd:ee:ff}, {@code aa-bb-…},
 * Cisco {@code aabb.ccdd.eeff}, bare {@code aabbccddeeff}) into lower-case colon form, and the
 * rule for which MACs identify a physical device.
 */
public final class MacAddresses {

    private MacAddresses() {
    }

    /** The lower-case colon form of {@code text}, or IllegalArgumentException. */
    public static String normalize(String text) {
        String value = text == null ? "" : text.trim();
        String hex;
        if (value.length() == 17 && separated(value, ':') || value.length() == 17 && separated(value, '-')) {
            hex = value.substring(0, 2) + value.substring(3, 5) + value.substring(6, 8) + value.substring(9, 11)
                    + value.substring(12, 14) + value.substring(15, 17);
        } else if (value.length() == 14 && value.charAt(4) == '.' && value.charAt(9) == '.') {
            hex = value.substring(0, 4) + value.substring(5, 9) + value.substring(10, 14);
        } else if (value.length() == 12) {
            hex = value;
        } else {
            throw new IllegalArgumentException("not a MAC address: '" + abbreviate(value) + "'");
        }
        StringBuilder normalized = new StringBuilder(17);
        for (int i = 0; i < 12; i++) {
            char c = hex.charAt(i);
            if (Ascii.hexDigit(c) < 0) { // ASCII only: Character.digit also takes Arabic-Indic or full-width digits
                throw new IllegalArgumentException("not a MAC address: '" + abbreviate(value) + "'");
            }
            if (i > 0 && i % 2 == 0) {
                normalized.append(':');
            }
            normalized.append(Character.toLowerCase(c));
        }
        return normalized.toString();
    }

    private static boolean separated(String value, char separator) {
        for (int i = 2; i < 17; i += 3) {
            if (value.charAt(i) != separator) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a normalised MAC can identify a device: not all-zero, not broadcast or multicast
     * (group bit), not locally administered (randomised), not a virtual router MAC shared by
     * several devices (VRRP {@code 00:00:5e:00:01:xx}/{@code 00:00:5e:00:02:xx}, HSRP
     * {@code 00:00:0c:07:ac:xx}, HSRPv2 {@code 00:00:0c:9f:fx:xx}).
     */
    public static boolean usable(String mac) {
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        if ((first & 0x01) != 0 || (first & 0x02) != 0) {
            return false; // multicast (broadcast included) or locally administered
        }
        if (mac.equals("00:00:00:00:00:00")) {
            return false;
        }
        return !(mac.startsWith("00:00:5e:00:01:") || mac.startsWith("00:00:5e:00:02:")
                || mac.startsWith("00:00:0c:07:ac:") || mac.startsWith("00:00:0c:9f:f"));
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
}
