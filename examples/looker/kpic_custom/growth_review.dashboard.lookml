# A dashboard of Growth's own, over kpic's explores: kept by every `kpic emit`.
- dashboard: growth_review
  title: "Growth weekly review"
  layout: newspaper
  preferred_viewer: dashboards-next
  elements:
  - name: signups_by_country
    title: "Sign-ups by country, last 8 complete weeks"
    model: kpis
    explore: signups
    type: looker_column
    fields: [signups.period_week, signups.country, signups.value]
    pivots: [signups.country]
    filters:
      signups.period_complete: "Yes"
    sorts: [signups.period_week desc]
    limit: 8
    row: 0
    col: 0
    width: 24
    height: 8
