# Growth's own additions to kpic's views. kpic never writes to /kpic_custom,
# so these survive every `kpic emit`; kpic's model includes them after its
# own views, so the refinements apply on top (docs/lookml.md, Customising).
view: +signups {
  dimension: country {
    label: "Sign-up country"
    description: "Where the account was created, as the sign-up form recorded it."
  }
}

view: +weekly_active_users {
  measure: value {
    link: {
      label: "Runbook: activity drops"
      url: "https://wiki.acme.example/growth/activity-drops"
    }
  }
}
