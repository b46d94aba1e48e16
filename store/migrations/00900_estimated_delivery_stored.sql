-- +goose Up
-- Issue 23: thugom's estimate of a collected order's delivery is computed
-- once in Go (thugom.EstimatedDelivery, the promise's truck rule: "*"
-- destinations, provinces by ProvinceKey, overnight cutoffs the evening
-- before) at pickup and again at the hand-over, and stored here; the SLA
-- board and the day report read it. The SQL function of 00855 had its own
-- copy of the rule, which disagreed (it ignored "*", compared provinces as
-- written and put an overnight truck's cutoff after its departure, a day
-- early): it goes. NULL: not collected yet, or no truck serves the
-- province within eight days.
ALTER TABLE orders ADD COLUMN estimated_delivery timestamptz;
DROP FUNCTION estimated_delivery(bigint, text, timestamptz);

-- +goose Down
ALTER TABLE orders DROP COLUMN estimated_delivery;
-- +goose StatementBegin
CREATE FUNCTION estimated_delivery(p_depot bigint, p_province text, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT ((z.d + g * interval '1 day' + dep.departs_at * interval '1 second') AT TIME ZONE 'Asia/Ho_Chi_Minh')
           + dep.transit_hours * interval '1 hour'
    FROM departures dep
    CROSS JOIN generate_series(0, 8) g
    CROSS JOIN (SELECT date_trunc('day', p_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS d) z
    WHERE dep.depot_id = p_depot AND dep.active
      AND (cardinality(dep.destinations) = 0 OR p_province = ANY (dep.destinations))
      AND ((z.d + g * interval '1 day' + dep.cutoff_at * interval '1 second') AT TIME ZONE 'Asia/Ho_Chi_Minh') > p_at
    ORDER BY g, dep.cutoff_at, 1
    LIMIT 1
$$;
-- +goose StatementEnd
