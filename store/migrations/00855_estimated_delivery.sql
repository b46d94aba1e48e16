-- +goose Up
-- Issue 23: the promise measured on facts. estimated_delivery is thugom's
-- estimate of a parcel's delivery when the carrier has not told it: the
-- first truck of the depot whose cutoff is after the parcel is at the depot
-- and that serves the destination province (no destinations: every one),
-- plus its transit (departures' times are local, Asia/Ho_Chi_Minh; a
-- cutoff is never after its departure). NULL when no truck serves the
-- province within eight days.
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

-- +goose Down
DROP FUNCTION estimated_delivery(bigint, text, timestamptz);
