func.func private @f() attributes {hdp.cfg = #hdp.config<tau_h = -0.5>}
