"""Cases and referrals (issue 11): a social worker's cases on families, their referrals and work queues."""
