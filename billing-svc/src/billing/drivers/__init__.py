"""What provisioning can run (#19 item 3, P-4): billing's copy of provisioning's driver configuration."""
