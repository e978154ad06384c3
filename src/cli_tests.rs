use super::*;

#[test]
fn numeric_flags_refuse_what_cannot_be_meant() {
    for bad in ["inf", "-1", "0", "nan", "1e300", "x"] {
        assert!(seconds(bad).is_err(), "{bad} accepted as seconds");
    }
    assert_eq!(seconds("0.5"), Ok(0.5));
    assert!(packet_count("0").is_err());
    assert_eq!(packet_count("3"), Ok(3));
    assert!(snap_length("262145").is_err());
    assert_eq!(snap_length("0"), Ok(0));
    assert!(ring_mib("0").is_err());
    assert!(ring_mib("100000000").is_err());
    assert_eq!(ring_mib("2"), Ok(2));
    assert!(replay_speed("0").is_err());
    assert!(replay_speed("inf").is_err());
    assert!(field_list("").is_err());
    assert!(field_list("ip.src,,ip.dst").is_err());
    assert!(field_list("ip.src,ip.dst").is_ok());
}
