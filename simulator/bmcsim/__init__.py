"""bmcsim: a Supermicro BMC fleet simulator speaking Redfish over HTTPS."""
